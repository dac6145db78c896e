-- Retention (fcgi/retention/, switchboard-admin purge): when a voicemail's audio was deleted, here and at Twilio.
-- recording_deleted_at is set when the purge removed the local copy (the feed then says "deleted" and
-- GET /api/calls/{sid}/voicemail answers 410 instead of fetching it again); recording_deleted_at_twilio when Twilio
-- answered the DELETE of the recording (or no longer had it). Rows older than the calls' limit are deleted whole,
-- with their events and notifications.
--
-- No index: the purge walks calls_newest (started_at, id) for old calls and calls_voicemail_newest (has_voicemail,
-- started_at, id) for old voicemails, by keyset, and deletes a call's events and notifications through
-- call_events_call and notifications_once, which all exist. An index on these columns would cost every webhook's
-- insert for a query that runs once a day.
--
-- Two nullable columns at the end of the table: MariaDB adds them in place (ALGORITHM=INSTANT), no copy of calls.

ALTER TABLE calls
  ADD COLUMN recording_deleted_at DATETIME(3) NULL,
  ADD COLUMN recording_deleted_at_twilio DATETIME(3) NULL;
