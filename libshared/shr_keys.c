/*  shr_keys - CURVE key pairs, trusted certificates, roles. See shr_keys.h. */
#include "shr_keys.h"
#include "shr_log.h"

#include <pthread.h>
#include <sys/stat.h>

typedef struct {
    char *name;
    char *roles;
} s_who_t;

struct _shr_keys_t {
    char *dir;
    zcert_t *own;
    zhashx_t *trusted;     //  public key (Z85) -> s_who_t
    zhashx_t *servers;     //  service name -> its public key (Z85), read on first connect
    int64_t read_mtime;    //  trusted/'s modification time (ns) when we read it
};

//  One ZAP handler per process: libzmq asks inproc://zeromq.zap.01, which only
//  one socket can bind.
static pthread_mutex_t s_zap_lock = PTHREAD_MUTEX_INITIALIZER;
static zactor_t *s_zap;
static int s_zap_users;

static void s_who_destroy (s_who_t **who_p)
{
    free ((*who_p)->name);
    free ((*who_p)->roles);
    free (*who_p);
    *who_p = NULL;
}

//  When trusted/ last changed (a file added or removed), in ns; 0 if unknown.
static int64_t s_folder_mtime (const char *dir)
{
    char *folder = zsys_sprintf ("%s/trusted", dir);
    struct stat info;
    int64_t mtime = 0;
    if (folder && stat (folder, &info) == 0)
        mtime = (int64_t) info.st_mtim.tv_sec * 1000000000 + info.st_mtim.tv_nsec;
    zstr_free (&folder);
    return mtime;
}

//  The folder's trusted certificates as a new table. NULL with err.
static zhashx_t *s_load_trusted (const char *dir, char *err, size_t errlen)
{
    zhashx_t *trusted = zhashx_new ();
    zhashx_set_destructor (trusted, (zhashx_destructor_fn *) s_who_destroy);
    char *folder = zsys_sprintf ("%s/trusted", dir);
    zdir_t *zdir = zdir_new (folder, NULL);
    zfile_t **files = zdir ? zdir_flatten (zdir) : NULL;
    for (size_t i = 0; files && files[i]; i++) {
        const char *path = zfile_filename (files[i], NULL);
        size_t length = strlen (path);
        if (length < 4 || strcmp (path + length - 4, ".key") != 0)
            continue;
        zcert_t *cert = zcert_load (path);
        const char *name = cert ? zcert_meta (cert, "name") : NULL;
        if (!name) {
            shr_log_warn ("keys: %s is not a certificate with a name; left out", path);
            zcert_destroy (&cert);
            continue;
        }
        s_who_t *who = (s_who_t *) zmalloc (sizeof (s_who_t));
        who->name = strdup (name);
        const char *roles = zcert_meta (cert, "roles");
        who->roles = strdup (roles ? roles : "");
        zhashx_update (trusted, zcert_public_txt (cert), who);
        zcert_destroy (&cert);
    }
    zdir_flatten_free (&files);
    zdir_destroy (&zdir);
    zstr_free (&folder);
    (void) err;
    (void) errlen;
    return trusted;
}

//  Starts the process's ZAP handler on first use, pointed at trusted/.
static int s_zap_start (const char *dir, char *err, size_t errlen)
{
    pthread_mutex_lock (&s_zap_lock);
    if (!s_zap)
        s_zap = zactor_new (zauth, NULL);
    int rc = 0;
    if (!s_zap) {
        snprintf (err, errlen, "cannot start the ZAP handler (zauth)");
        rc = -1;
    }
    else {
        s_zap_users++;
        char *folder = zsys_sprintf ("%s/trusted", dir);
        zstr_sendx (s_zap, "CURVE", folder, NULL);
        zsock_wait (s_zap);
        zstr_free (&folder);
    }
    pthread_mutex_unlock (&s_zap_lock);
    return rc;
}

static void s_zap_stop (void)
{
    pthread_mutex_lock (&s_zap_lock);
    if (s_zap_users > 0 && --s_zap_users == 0)
        zactor_destroy (&s_zap);
    pthread_mutex_unlock (&s_zap_lock);
}

shr_keys_t *shr_keys_new (const char *dir, const char *secret_path, char *err, size_t errlen)
{
    if (!zsys_has_curve ()) {
        snprintf (err, errlen, "this libzmq has no CURVE support");
        return NULL;
    }
    zcert_t *own = zcert_load (secret_path);
    if (!own || streq (zcert_secret_txt (own), "0000000000000000000000000000000000000000")) {
        snprintf (err, errlen, "no secret certificate in %s: create the keys with "
                               "`shrctl keys init --dir %s`", secret_path, dir);
        zcert_destroy (&own);
        return NULL;
    }
    shr_keys_t *self = (shr_keys_t *) zmalloc (sizeof (shr_keys_t));
    self->dir = strdup (dir);
    self->own = own;
    self->servers = zhashx_new ();
    zhashx_set_destructor (self->servers, (zhashx_destructor_fn *) zstr_free);
    self->read_mtime = s_folder_mtime (dir);
    self->trusted = s_load_trusted (dir, err, errlen);
    if (!self->trusted || s_zap_start (dir, err, errlen)) {
        zhashx_destroy (&self->trusted);
        shr_keys_destroy (&self);
        return NULL;
    }
    return self;
}

void shr_keys_destroy (shr_keys_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    shr_keys_t *self = *self_p;
    if (self->trusted)
        s_zap_stop ();
    zhashx_destroy (&self->trusted);
    zhashx_destroy (&self->servers);
    zcert_destroy (&self->own);
    free (self->dir);
    free (self);
    *self_p = NULL;
}

char *shr_keys_service_secret (const char *dir, const char *service)
{
    return zsys_sprintf ("%s/%s.key_secret", dir, service);
}

int shr_keys_reload (shr_keys_t *self, char *err, size_t errlen)
{
    self->read_mtime = s_folder_mtime (self->dir);
    zhashx_t *trusted = s_load_trusted (self->dir, err, errlen);
    if (!trusted)
        return -1;
    int removed = 0;
    for (void *who = zhashx_first (self->trusted); who; who = zhashx_next (self->trusted))
        if (!zhashx_lookup (trusted, zhashx_cursor (self->trusted)))
            removed++;
    zhashx_destroy (&self->trusted);
    self->trusted = trusted;
    zhashx_purge (self->servers);
    //  zauth reads the folder again too (it would on its own, at the next handshake).
    pthread_mutex_lock (&s_zap_lock);
    if (s_zap) {
        char *folder = zsys_sprintf ("%s/trusted", self->dir);
        zstr_sendx (s_zap, "CURVE", folder, NULL);
        zsock_wait (s_zap);
        zstr_free (&folder);
    }
    pthread_mutex_unlock (&s_zap_lock);
    return removed;
}

const char *shr_keys_lookup (shr_keys_t *self, const char *public_key, const char **roles_p)
{
    s_who_t *who = public_key ? (s_who_t *) zhashx_lookup (self->trusted, public_key) : NULL;
    //  A key the handshake let in but we do not know was added since we read
    //  trusted/ (zauth reads it again by itself): read the new ones too when
    //  the folder changed, so that a new client works at once. Revocations
    //  wait for shr_keys_reload, as documented.
    if (!who && public_key && s_folder_mtime (self->dir) != self->read_mtime) {
        self->read_mtime = s_folder_mtime (self->dir);
        char err[256];
        zhashx_t *trusted = s_load_trusted (self->dir, err, sizeof err);
        for (s_who_t *fresh = trusted ? (s_who_t *) zhashx_first (trusted) : NULL; fresh;
             fresh = (s_who_t *) zhashx_next (trusted)) {
            const char *key = (const char *) zhashx_cursor (trusted);
            if (!zhashx_lookup (self->trusted, key)) {
                s_who_t *copy = (s_who_t *) zmalloc (sizeof (s_who_t));
                copy->name = strdup (fresh->name);
                copy->roles = strdup (fresh->roles);
                zhashx_insert (self->trusted, key, copy);
            }
        }
        zhashx_destroy (&trusted);
        who = (s_who_t *) zhashx_lookup (self->trusted, public_key);
    }
    if (roles_p)
        *roles_p = who ? who->roles : NULL;
    return who ? who->name : NULL;
}

void shr_keys_serve (shr_keys_t *self, zsock_t *sock)
{
    zcert_apply (self->own, sock);
    zsock_set_curve_server (sock, 1);
    zsock_set_zap_domain (sock, SHR_KEYS_DOMAIN);
}

int shr_keys_connect (shr_keys_t *self, zsock_t *sock, const char *service, char *err,
                      size_t errlen)
{
    const char *server_key = (const char *) zhashx_lookup (self->servers, service);
    if (!server_key) {
        char *path = zsys_sprintf ("%s/%s.key", self->dir, service);
        zcert_t *cert = zcert_load (path);
        if (!cert) {
            snprintf (err, errlen, "no public certificate of %s at %s", service, path);
            zstr_free (&path);
            return -1;
        }
        zhashx_insert (self->servers, service, strdup (zcert_public_txt (cert)));
        server_key = (const char *) zhashx_lookup (self->servers, service);
        zcert_destroy (&cert);
        zstr_free (&path);
    }
    zcert_apply (self->own, sock);
    zsock_set_curve_serverkey (sock, server_key);
    return 0;
}

const char *shr_keys_public (shr_keys_t *self)
{
    return zcert_public_txt (self->own);
}

bool shr_keys_role_allows (const char *roles, const char *const *wanted)
{
    if (!roles)
        return false;
    //  Compares each role of the comma-separated list with each wanted one.
    for (const char *role = roles; *role;) {
        size_t length = strcspn (role, ",");
        if (length == 5 && strncmp (role, "admin", 5) == 0)
            return true;
        for (const char *const *want = wanted; want && *want; want++)
            if (strlen (*want) == length && strncmp (role, *want, length) == 0)
                return true;
        role += length;
        while (*role == ',' || *role == ' ')
            role++;
    }
    return false;
}

//  ---------------------------------------------------------------------------
//  Making keys

static bool s_valid_name (const char *name)
{
    if (!name || !*name || strlen (name) > 64)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum ((unsigned char) *p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    return name[0] != '.';
}

//  Saves the secret certificate with mode 0600 from the start (umask), so that
//  it is never readable by others, not even for a moment.
static int s_save_secret (zcert_t *cert, const char *path)
{
    mode_t old = umask (077);
    int rc = zcert_save_secret (cert, path);
    umask (old);
    return rc == 0 ? chmod (path, 0600) : -1;
}

static int s_make_folders (const char *dir, char *err, size_t errlen)
{
    if (zsys_dir_create ("%s/trusted", dir) || zsys_dir_create ("%s/clients", dir)) {
        snprintf (err, errlen, "cannot create %s/trusted and %s/clients: %s", dir, dir,
                  strerror (errno));
        return -1;
    }
    return 0;
}

int shr_keys_add (const char *dir, const char *name, const char *roles, char *err,
                  size_t errlen)
{
    if (!s_valid_name (name)) {
        snprintf (err, errlen, "'%s' is no key name: letters, digits, '_', '-' and '.', "
                               "at most 64", name ? name : "");
        return -1;
    }
    if (s_make_folders (dir, err, errlen))
        return -1;
    char *public_path = zsys_sprintf ("%s/trusted/%s.key", dir, name);
    char *secret_path = zsys_sprintf ("%s/clients/%s.key_secret", dir, name);
    int rc = -1;
    if (zsys_file_exists (public_path))
        snprintf (err, errlen, "a key called %s exists already (%s)", name, public_path);
    else {
        zcert_t *cert = zcert_new ();
        zcert_set_meta (cert, "name", "%s", name);
        zcert_set_meta (cert, "roles", "%s", roles ? roles : "");
        if (s_save_secret (cert, secret_path) || zcert_save_public (cert, public_path))
            snprintf (err, errlen, "cannot write %s: %s", secret_path, strerror (errno));
        else
            rc = 0;
        zcert_destroy (&cert);
    }
    zstr_free (&public_path);
    zstr_free (&secret_path);
    return rc;
}

int shr_keys_init (const char *dir, const char *const *services, char *err, size_t errlen)
{
    if (s_make_folders (dir, err, errlen))
        return -1;
    int made = 0;
    for (const char *const *service = services; *service; service++) {
        char *secret_path = shr_keys_service_secret (dir, *service);
        char *public_path = zsys_sprintf ("%s/%s.key", dir, *service);
        char *trusted_path = zsys_sprintf ("%s/trusted/%s.key", dir, *service);
        int rc = 0;
        if (!zsys_file_exists (secret_path)) {
            zcert_t *cert = zcert_new ();
            zcert_set_meta (cert, "name", "%s", *service);
            zcert_set_meta (cert, "roles", "service");
            rc = s_save_secret (cert, secret_path) || zcert_save_public (cert, public_path)
                         || zcert_save_public (cert, trusted_path)
                     ? -1
                     : 0;
            zcert_destroy (&cert);
            made++;
        }
        if (rc)
            snprintf (err, errlen, "cannot write the keys of %s in %s: %s", *service, dir,
                      strerror (errno));
        zstr_free (&secret_path);
        zstr_free (&public_path);
        zstr_free (&trusted_path);
        if (rc)
            return -1;
    }
    char *admin = zsys_sprintf ("%s/trusted/admin.key", dir);
    bool have_admin = zsys_file_exists (admin);
    zstr_free (&admin);
    if (!have_admin) {
        if (shr_keys_add (dir, "admin", "admin", err, errlen))
            return -1;
        made++;
    }
    return made;
}

int shr_keys_revoke (const char *dir, const char *name, char *err, size_t errlen)
{
    if (!s_valid_name (name)) {
        snprintf (err, errlen, "'%s' is no key name", name ? name : "");
        return -1;
    }
    char *public_path = zsys_sprintf ("%s/trusted/%s.key", dir, name);
    char *secret_path = zsys_sprintf ("%s/clients/%s.key_secret", dir, name);
    int rc = 0;
    if (unlink (public_path)) {
        snprintf (err, errlen, "no trusted key called %s (%s): %s", name, public_path,
                  strerror (errno));
        rc = -1;
    }
    else
        unlink (secret_path);  //  a service's own stays with it
    zstr_free (&public_path);
    zstr_free (&secret_path);
    return rc;
}

int shr_keys_list (const char *dir,
                   void (*fn) (const char *name, const char *roles, const char *key, void *arg),
                   void *arg, char *err, size_t errlen)
{
    zhashx_t *trusted = s_load_trusted (dir, err, errlen);
    if (!trusted)
        return -1;
    int count = 0;
    for (s_who_t *who = (s_who_t *) zhashx_first (trusted); who;
         who = (s_who_t *) zhashx_next (trusted), count++)
        fn (who->name, who->roles, (const char *) zhashx_cursor (trusted), arg);
    zhashx_destroy (&trusted);
    return count;
}
