-- Fenced notification claims: every claim of a notification (and every renewal of it right before a send) writes a
-- fresh random token, and every later write of that claimer (sent, retry, give up) names the token it holds. A
-- notifier whose lease ran out and whose row another notifier claimed meanwhile therefore changes nothing: its
-- token is no longer the row's. NULL while nobody holds the row.

ALTER TABLE notifications ADD COLUMN claim_token CHAR(32) NULL AFTER lease_until;
