-- The call log: one row per call (folded state) and every webhook as received (the event log).
-- Applied by switchboard-migrate, which records it in schema_migrations. Statements end with ';' at end of line.

CREATE TABLE calls (
  id                    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  sid                   VARCHAR(64)  NOT NULL,
  from_number           VARCHAR(64)  NOT NULL DEFAULT '',
  to_number             VARCHAR(64)  NOT NULL DEFAULT '',
  caller_name           VARCHAR(255) NULL,
  from_city             VARCHAR(128) NULL,
  from_state            VARCHAR(128) NULL,
  from_country          VARCHAR(64)  NULL,
  status                VARCHAR(16)  NOT NULL DEFAULT '',
  status_sequence       BIGINT       NULL,
  menu_choice           VARCHAR(16)  NULL,
  forwarded_to          VARCHAR(64)  NULL,
  forward_accepted      BOOLEAN      NULL,
  dial_status           VARCHAR(16)  NULL,
  dial_bridged          BOOLEAN      NULL,
  talk_s                INT          NULL,
  duration_s            INT          NULL,
  started_at            DATETIME(3)  NOT NULL,
  answered_at           DATETIME(3)  NULL,
  ended_at              DATETIME(3)  NULL,
  recording_sid         VARCHAR(64)  NULL,
  recording_url         VARCHAR(512) NULL,
  recording_status      VARCHAR(16)  NULL,
  recording_duration_s  INT          NULL,
  transcription_text    TEXT         NULL,
  transcription_status  VARCHAR(16)  NULL,
  voicemail_heard_at    DATETIME(3)  NULL,
  has_voicemail         BOOLEAN AS (recording_sid IS NOT NULL) STORED,
  PRIMARY KEY (id),
  UNIQUE KEY calls_sid (sid),
  KEY calls_newest (started_at, id),
  KEY calls_status_newest (status, started_at, id),
  KEY calls_choice_newest (menu_choice, started_at, id),
  KEY calls_from_newest (from_number, started_at, id),
  KEY calls_voicemail_newest (has_voicemail, started_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE call_events (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  call_sid     VARCHAR(64) NOT NULL,
  kind         VARCHAR(32) NOT NULL,
  url_query    VARCHAR(255) NOT NULL DEFAULT '',
  dedup_key    CHAR(64)    NOT NULL,
  params       LONGTEXT    NOT NULL,
  received_at  DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY call_events_dedup (dedup_key),
  KEY call_events_call (call_sid, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
