/*  shr_socket - every ZeroMQ socket is made here. See shr_socket.h. */
#include "shr_socket.h"

zsock_t *shr_socket_new (shr_socket_role_t role, const char *endpoint, int hwm, shr_keys_t *keys,
                         const char *peer, char *err, size_t errlen)
{
    static const int types[] = {ZMQ_ROUTER, ZMQ_PUB, ZMQ_DEALER, ZMQ_SUB};
    bool binds = role == SHR_SOCKET_API || role == SHR_SOCKET_EVENTS;
    zsock_t *sock = zsock_new (types[role]);
    if (!sock) {
        snprintf (err, errlen, "cannot create a socket: %s", zmq_strerror (zmq_errno ()));
        return NULL;
    }
    //  Do not hang on exit for messages nobody will read; replies and events
    //  are recoverable (retry, replay).
    zsock_set_linger (sock, role == SHR_SOCKET_EVENTS ? 100 : 0);
    zsock_set_reconnect_ivl (sock, 100);
    zsock_set_reconnect_ivl_max (sock, 2000);
    if (role == SHR_SOCKET_EVENTS && hwm > 0)
        zsock_set_sndhwm (sock, hwm);
    if (role == SHR_SOCKET_SUBSCRIBER) {
        if (hwm > 0)
            zsock_set_rcvhwm (sock, hwm);
        zsock_set_subscribe (sock, "");
    }
    if (role == SHR_SOCKET_API)
        //  An unroutable reply (the client went away) is dropped, never blocks.
        zsock_set_router_mandatory (sock, 0);
    if (keys && binds)
        shr_keys_serve (keys, sock);
    else if (keys && shr_keys_connect (keys, sock, peer ? peer : "?", err, errlen)) {
        zsock_destroy (&sock);
        return NULL;
    }
    int rc = binds ? zsock_bind (sock, "%s", endpoint) : zsock_connect (sock, "%s", endpoint);
    if (rc == -1) {
        snprintf (err, errlen, "cannot %s %s: %s", binds ? "bind" : "connect to", endpoint,
                  zmq_strerror (zmq_errno ()));
        zsock_destroy (&sock);
        return NULL;
    }
    return sock;
}
