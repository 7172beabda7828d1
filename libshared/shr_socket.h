/*  shr_socket - every ZeroMQ socket of the platform is made here.

    One place, so that CURVE security (shr_keys: czmq's zcert and zauth) is
    switched on for all of them at once, and so that every socket gets the same
    sane options (linger, high-water marks, reconnect interval).
*/
#ifndef SHR_SOCKET_H_INCLUDED
#define SHR_SOCKET_H_INCLUDED

#include "shr_keys.h"

#include <czmq.h>

//  What a socket is for; decides its type and options.
typedef enum {
    SHR_SOCKET_API,        //  a service's ROUTER, bound
    SHR_SOCKET_EVENTS,     //  a service's PUB, bound
    SHR_SOCKET_CLIENT,     //  a DEALER to another service's API, connected
    SHR_SOCKET_SUBSCRIBER  //  a SUB to another service's events, connected (all topics)
} shr_socket_role_t;

//  Creates a socket for role and binds or connects it to endpoint. hwm is the
//  high-water mark for event sockets (0 for the default). With keys (borrowed;
//  NULL for a plaintext socket, which only SHR_CURVE=off allows) a bound socket
//  is a CURVE server under ZAP, and a connected one a CURVE client of the
//  service called peer, whose public key keys knows. Returns NULL with a
//  message in err when the endpoint is malformed, the address is in use or
//  the peer's key is missing. The caller owns the socket (zsock_destroy).
zsock_t *shr_socket_new (shr_socket_role_t role, const char *endpoint, int hwm, shr_keys_t *keys,
                         const char *peer, char *err, size_t errlen);

#endif
