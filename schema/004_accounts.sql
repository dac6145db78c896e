-- Feed accounts (issue 12): users with a role, sessions and API tokens stored as SHA-256 digests (the clients hold
-- the tokens), sign-in failure counters for the throttle, and the audit log of who did what. Times are Unix
-- milliseconds in BIGINT: no time zone conversion, no 2038 limit. User names in the audit log are text, not a
-- foreign key, so the record of what a removed user did stays.

CREATE TABLE users (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name              VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  role              VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  password_hash     VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at_ms     BIGINT NOT NULL,
  password_set_at_ms BIGINT NOT NULL,
  last_login_at_ms  BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY users_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sessions (
  digest            CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id           BIGINT UNSIGNED NOT NULL,
  created_at_ms     BIGINT NOT NULL,
  last_seen_at_ms   BIGINT NOT NULL,
  expires_at_ms     BIGINT NOT NULL,
  address           VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
  PRIMARY KEY (digest),
  KEY sessions_user (user_id),
  KEY sessions_expiry (expires_at_ms),
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE api_tokens (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  digest            CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id           BIGINT UNSIGNED NOT NULL,
  created_at_ms     BIGINT NOT NULL,
  last_used_at_ms   BIGINT NULL,
  revoked_at_ms     BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY api_tokens_digest (digest),
  KEY api_tokens_user (user_id),
  CONSTRAINT api_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- scope: "user:NAME" (whether or not the user exists) or "address:IP".
CREATE TABLE login_failures (
  scope             VARCHAR(160) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  failures          INT NOT NULL,
  last_failure_at_ms BIGINT NOT NULL,
  blocked_until_ms  BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (scope)
) ENGINE=InnoDB;

CREATE TABLE audit_log (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  at_ms             BIGINT NOT NULL,
  user_name         VARCHAR(64)  NOT NULL,
  action            VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  target            VARCHAR(128) NOT NULL DEFAULT '',
  detail            VARCHAR(255) NOT NULL DEFAULT '',
  address           VARCHAR(64)  NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY audit_log_user (user_name, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
