/* bench/bare/bare_webhook.c — the bench's floor for an incoming-call webhook, not part of the product.
 * The least a FastCGI program behind nginx can do per call: read the urlencoded POST, take CallSid, From, To and
 * CallStatus from it, run ONE prepared upsert into bare_calls (autocommit, so durable at
 * innodb_flush_log_at_trx_commit=1) and answer the menu TwiML, byte for byte the static ceiling's. No signature
 * check, no events, no routing: bench/run prints Switchboard's webhook as a ratio to this program's req/s.
 * Started by bench/run under spawn-fcgi (listening socket on fd 0), one process per webhook worker.
 * Environment: BARE_DB_SOCKET, BARE_DB_USER, BARE_DB_PASSWORD, BARE_DB_NAME; BARE_TWIML_FILE (the answer's body);
 * BARE_LOG (optional: append error lines there; spawn-fcgi points stderr at /dev/null).
 * Build: cc -O2 -Wall -Wextra -Werror bare_webhook.c $(pkg-config --cflags --libs libmariadb fcgi) */
#include <fcgiapp.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY 65536 /* nginx's client_max_body_size for the site */
#define FIELD_MAX 64   /* every bare_calls column is at most VARCHAR(64) */

static const char UPSERT[] =
    "INSERT INTO bare_calls (sid, from_number, to_number, status, started_at) VALUES (?,?,?,?,NOW(3)) "
    "ON DUPLICATE KEY UPDATE status=VALUES(status)";
static const char* names[4] = {"CallSid", "From", "To", "CallStatus"};

static MYSQL* db;
static MYSQL_STMT* stmt;
static MYSQL_BIND bind[4];
static char values[4][FIELD_MAX + 1];
static unsigned long lengths[4];

static const char* env(const char* name) {
  const char* v = getenv(name);
  if (!v || !*v) {
    fprintf(stderr, "bare_webhook: %s is not set\n", name);
    exit(2);
  }
  return v;
}

static void db_close(void) {
  if (stmt) mysql_stmt_close(stmt);
  if (db) mysql_close(db);
  stmt = NULL, db = NULL;
}

/* Connects and prepares the upsert when there is no connection; 0 when the database is not usable. */
static int db_ready(void) {
  unsigned int timeout = 5;
  if (stmt) return 1;
  if (!(db = mysql_init(NULL))) return 0;
  mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &timeout);
  mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
  mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!mysql_real_connect(db, NULL, env("BARE_DB_USER"), env("BARE_DB_PASSWORD"), env("BARE_DB_NAME"), 0,
                          env("BARE_DB_SOCKET"), 0) ||
      mysql_autocommit(db, 1) || !(stmt = mysql_stmt_init(db)) || mysql_stmt_prepare(stmt, UPSERT, sizeof UPSERT - 1)) {
    fprintf(stderr, "bare_webhook: database: %s\n", mysql_error(db));
    db_close();
    return 0;
  }
  memset(bind, 0, sizeof bind);
  for (int i = 0; i < 4; i++) { /* bound once: each execute reads the buffers and lengths as they are then */
    bind[i].buffer_type = MYSQL_TYPE_STRING;
    bind[i].buffer = values[i];
    bind[i].buffer_length = sizeof values[i];
    bind[i].length = &lengths[i];
  }
  if (mysql_stmt_bind_param(stmt, bind)) {
    fprintf(stderr, "bare_webhook: bind: %s\n", mysql_stmt_error(stmt));
    db_close();
    return 0;
  }
  return 1;
}

static int hex(int c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* The first value of NAME in an urlencoded body, decoded ('+' and %XX) into out; 0 when absent or too long. */
static int form_value(const char* body, size_t len, const char* name, char* out, unsigned long* out_len) {
  size_t name_len = strlen(name), i = 0;
  while (i < len) {
    size_t end = i;
    while (end < len && body[end] != '&') end++;
    if (end - i > name_len && body[i + name_len] == '=' && memcmp(body + i, name, name_len) == 0) {
      size_t n = 0;
      for (size_t j = i + name_len + 1; j < end; j++) {
        int c = (unsigned char)body[j];
        if (c == '+')
          c = ' ';
        else if (c == '%' && j + 2 < end && hex(body[j + 1]) >= 0 && hex(body[j + 2]) >= 0) {
          c = hex(body[j + 1]) * 16 + hex(body[j + 2]);
          j += 2;
        }
        if (n == FIELD_MAX) return 0;
        out[n++] = (char)c;
      }
      *out_len = n;
      return 1;
    }
    i = end + 1;
  }
  return 0;
}

static char* read_file(const char* path, long* size) {
  FILE* f = fopen(path, "rb");
  char* data = NULL;
  if (f && fseek(f, 0, SEEK_END) == 0 && (*size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (data = malloc((size_t)*size + 1)) && fread(data, 1, (size_t)*size, f) != (size_t)*size) {
    free(data);
    data = NULL;
  }
  if (f) fclose(f);
  return data;
}

/* LEN < 0: BODY is a C string. */
static void answer(FCGX_Request* r, const char* status, const char* type, const char* body, long len) {
  if (len < 0) len = (long)strlen(body);
  FCGX_FPrintF(r->out, "Status: %s\r\nContent-Type: %s\r\nContent-Length: %ld\r\n\r\n", status, type, len);
  FCGX_PutStr(body, (int)len, r->out);
}

int main(void) {
  static char body[MAX_BODY];
  long twiml_len = 0;
  const char* log = getenv("BARE_LOG");
  char* twiml = read_file(env("BARE_TWIML_FILE"), &twiml_len);
  FCGX_Request r;

  if (log && *log && !freopen(log, "a", stderr)) return 2;
  setvbuf(stderr, NULL, _IOLBF, 0);
  if (!twiml) {
    fprintf(stderr, "bare_webhook: cannot read %s\n", getenv("BARE_TWIML_FILE"));
    return 2;
  }
  if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0) return 2;
  db_ready(); /* connected before the first request; a failure is retried at each request */
  while (FCGX_Accept_r(&r) >= 0) {
    const char* cl = FCGX_GetParam("CONTENT_LENGTH", r.envp);
    long want = cl ? strtol(cl, NULL, 10) : 0;
    int len = 0, n, i;
    if (want < 0 || want > MAX_BODY) {
      answer(&r, "413 Payload Too Large", "text/plain", "body too large\n", -1);
      continue;
    }
    while (len < want && (n = FCGX_GetStr(body + len, (int)want - len, r.in)) > 0) len += n;
    for (i = 0; i < 4; i++)
      if (!form_value(body, (size_t)len, names[i], values[i], &lengths[i])) break;
    if (i < 4) {
      answer(&r, "400 Bad Request", "text/plain", "CallSid, From, To and CallStatus needed\n", -1);
    } else if (!db_ready() || mysql_stmt_execute(stmt)) {
      if (stmt) fprintf(stderr, "bare_webhook: upsert: %s\n", mysql_stmt_error(stmt));
      db_close(); /* a fresh connection and statement for the next request */
      answer(&r, "500 Internal Server Error", "text/plain", "database error\n", -1);
    } else {
      answer(&r, "200 OK", "text/xml", twiml, twiml_len);
    }
  }
  db_close();
  return 0;
}
