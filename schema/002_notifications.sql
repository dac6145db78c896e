-- The voicemail notification queue: one row per voicemail and channel (SMS, webhook), created in the same
-- transaction that sees the recording complete, delivered by switchboard-notify with retries and backoff. The
-- unique key makes "exactly one notification per voicemail" hold however often Twilio repeats its callbacks.

CREATE TABLE notifications (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  call_sid         VARCHAR(64)  NOT NULL,
  channel          VARCHAR(16)  NOT NULL,
  status           VARCHAR(16)  NOT NULL DEFAULT 'pending',
  attempts         INT          NOT NULL DEFAULT 0,
  next_attempt_at  DATETIME(3)  NOT NULL,
  lease_until      DATETIME(3)  NULL,
  last_error       VARCHAR(512) NULL,
  created_at       DATETIME(3)  NOT NULL,
  sent_at          DATETIME(3)  NULL,
  PRIMARY KEY (id),
  UNIQUE KEY notifications_once (call_sid, channel),
  KEY notifications_due (status, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
