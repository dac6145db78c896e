-- Records that stay true when callbacks are lost.
--
-- SMS delivery receipts: an SMS notification (voicemail SMS, text-back) is sent with a StatusCallback, and Twilio's
-- MessageStatus callbacks move the row's delivery_status forward only: queued/accepted → sending → sent →
-- delivered | undelivered | failed (store/delivery_status.h ranks them), whatever order the callbacks arrive in.
-- message_sid is what Twilio answered at the send (the first callback may even arrive before the notifier wrote it:
-- the callback's URL names the notification row, so it is filled from either side).
--
-- Reconciliation (reconcile/reconciler.h): a call still without a final status, or a voicemail without a recording
-- status, some minutes after its last event is looked up in Twilio's REST API. One row per call looked up: when to
-- look again (NULL: settled or given up) and what the last look found, so a call Twilio does not know is not asked
-- about for ever.
--
-- leases: one named lease per deployment-wide singleton (the reconciler), decided by its commit (a unique key is
-- certified cluster-wide on Galera, where locks are node-local): whoever holds an unexpired row is the one.
--
-- Adds columns to notifications (a small table) and two new tables: no rewrite of calls or call_events.

ALTER TABLE notifications
  ADD COLUMN message_sid          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER sent_at,
  ADD COLUMN delivery_status      VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER message_sid,
  ADD COLUMN delivery_error_code  VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER delivery_status,
  ADD COLUMN delivery_updated_at  DATETIME(3) NULL AFTER delivery_error_code;

CREATE TABLE reconciliations (
  call_sid         VARCHAR(64)  NOT NULL,  -- as calls.sid, so the join on it uses this key
  checks           INT          NOT NULL DEFAULT 0,
  last_checked_at  DATETIME(3)  NOT NULL,
  next_check_at    DATETIME(3)  NULL,
  last_result      VARCHAR(255) NOT NULL,
  PRIMARY KEY (call_sid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE leases (
  name        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  holder      VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expires_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
