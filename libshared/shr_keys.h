/*  shr_keys - who may talk to a service: CURVE key pairs, trusted certificates, roles.

    The bus is closed by default: every socket of every service and tool
    speaks CURVE (encrypted, authenticated), made so in shr_socket. A service
    has its own key pair; the clients and peer services it lets in are known
    by their public certificates, czmq's zcert files, each with metadata
    naming who it is and the roles it has. Certificates live in one folder,
    KEYS_DIR:

      <service>.key            a service's public certificate: what a client
                               needs to connect to it
      <service>.key_secret     the service's secret certificate (mode 0600);
                               each service reads only its own
      trusted/<name>.key       every key that services let in, clients and
                               peer services alike, with metadata
                               name = "<name>", roles = "<role>,<role>"
      clients/<name>.key_secret a client's secret certificate (mode 0600)

    At the handshake czmq's zauth (ZAP) refuses a key that is not in
    trusted/, and a plaintext peer. After it, every request's first frame
    carries the caller's public key (User-Id), by which the server finds the
    name and roles here: the name is the actor recorded for every change,
    the roles decide what it may call. shr_keys_reload reads trusted/ again
    (on SIGHUP), so a revoked key stops working without a restart.

    `shrctl keys` makes and lists them (shr_keys_init, shr_keys_add,
    shr_keys_revoke, shr_keys_list below).
*/
#ifndef SHR_KEYS_H_INCLUDED
#define SHR_KEYS_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>

typedef struct _shr_keys_t shr_keys_t;

#define SHR_KEYS_DOMAIN "aftersales"  //  the ZAP domain of every server socket

//  Loads the key pair in secret_path (a *.key_secret file) and the trusted
//  certificates of dir, and starts this process's ZAP handler (one, shared by
//  every shr_keys_t of the process). Returns NULL with a message in err (no
//  such file, not a certificate, a folder that cannot be read).
shr_keys_t *shr_keys_new (const char *dir, const char *secret_path, char *err, size_t errlen);

//  Nulls *self_p. Safe twice. The ZAP handler stops with the last one.
void shr_keys_destroy (shr_keys_t **self_p);

//  The secret certificate of service in dir: "<dir>/<service>.key_secret".
//  Returns a string the caller frees.
char *shr_keys_service_secret (const char *dir, const char *service);

//  Reads trusted/ again, for the handshake and for requests. Returns how many
//  keys were trusted before and are not now (0 or more), or -1 with err.
int shr_keys_reload (shr_keys_t *self, char *err, size_t errlen);

//  Who a public key (Z85, as User-Id carries it) is: its name, and in
//  *roles_p its roles as "a,b" (both borrowed until the next reload). NULL
//  if the key is not trusted. A key added to trusted/ since the last read is
//  found (trusted/ is read again on a miss, at most once a second); a key
//  removed from it stays known until shr_keys_reload.
const char *shr_keys_lookup (shr_keys_t *self, const char *public_key, const char **roles_p);

//  Makes sock a CURVE server with this key pair, under ZAP. Call before bind.
void shr_keys_serve (shr_keys_t *self, zsock_t *sock);

//  Makes sock a CURVE client of service, whose public certificate is
//  <dir>/<service>.key. Call before connect. Returns 0, or -1 with err.
int shr_keys_connect (shr_keys_t *self, zsock_t *sock, const char *service, char *err,
                      size_t errlen);

//  The public key of this key pair (Z85). Borrowed.
const char *shr_keys_public (shr_keys_t *self);

//  True if roles ("a,b") holds one of wanted (NULL-terminated), or "admin".
bool shr_keys_role_allows (const char *roles, const char *const *wanted);

//  ---------------------------------------------------------------------------
//  Making keys (shrctl keys)

//  Creates a key pair called name with roles ("a,b"): the secret certificate
//  at <dir>/clients/<name>.key_secret (mode 0600) and the trusted public one
//  at <dir>/trusted/<name>.key. Refuses a name that exists. Returns 0, or -1
//  with err.
int shr_keys_add (const char *dir, const char *name, const char *roles, char *err,
                  size_t errlen);

//  Creates what is missing of: a key pair per service (public <service>.key,
//  secret <service>.key_secret, and trusted/<service>.key with role service)
//  and a client "admin" with role admin. Returns how many it made, or -1.
int shr_keys_init (const char *dir, const char *const *services, char *err, size_t errlen);

//  Removes name from trusted/ (and its secret from clients/). Services
//  refuse it after their next reload. Returns 0, or -1 with err.
int shr_keys_revoke (const char *dir, const char *name, char *err, size_t errlen);

//  Calls fn for each trusted certificate: its name, roles and public key.
//  Returns how many, or -1 with err.
int shr_keys_list (const char *dir,
                   void (*fn) (const char *name, const char *roles, const char *key, void *arg),
                   void *arg, char *err, size_t errlen);

#endif
