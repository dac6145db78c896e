-- One round trip per webhook (issue 16): what a webhook writes — its event and its call's folded row — goes to the
-- database as one CALL (record_webhook), and the procedure commits. Before, the incoming call took two statements
-- and a COMMIT (three round trips), every later webhook five (the event, an INSERT IGNORE that found the call,
-- SELECT … FOR UPDATE, UPDATE, COMMIT); now one, and two (the lock, the CALL). A round trip costs both processes
-- a wake-up and system calls. The server's own work stays about the same (bench/README.md: MariaDB substitutes the
-- parameters' values into each statement of a procedure), so what this saves is the worker's side and the waits.
--
-- The store (fcgi/store/mysql_call_store.cc) decides as before: fold() in C++ computes the row, the procedure only
-- writes it. The parameters are the event's columns, the folded columns in the order of fcgi/store/call_columns.cc
-- (an integration test holds the two lists to each other), then the call's id; values cleaned and cut to size by
-- the store before binding.
--
-- Errors, as the store reads them:
--   1062 (duplicate entry) from the event insert: the same webhook again (its dedup_key); nothing written.
--   31001 for a new call (p_call_id NULL): the call has a row already (the incoming call was not its first
--         webhook, or came again under another key): the procedure rolled back; the store locks and folds the row
--         and calls it again with the row's id.
-- The procedure runs with the caller's privileges (SQL SECURITY INVOKER): the workers' database user needs EXECUTE
-- besides the grants it had (docs/operations.md), and nothing depends on the account that created them.

DELIMITER //

-- A webhook: its event, and its call's row as fold() made it — a new row when p_call_id is NULL (the call's first
-- webhook, as the store expects), else the row the store locked (SELECT … FOR UPDATE in the same transaction).
CREATE PROCEDURE record_webhook(
  IN p_event_call_sid VARCHAR(64) CHARACTER SET utf8mb4,
  IN p_event_kind VARCHAR(32) CHARACTER SET utf8mb4,
  IN p_event_url_query VARCHAR(255) CHARACTER SET utf8mb4,
  IN p_event_dedup_key CHAR(64) CHARACTER SET utf8mb4,
  IN p_event_params LONGTEXT CHARACTER SET utf8mb4,
  IN p_event_received_at DATETIME(3),
  IN p_event_routing_rule VARCHAR(32) CHARACTER SET utf8mb4,
  IN p_event_routing_detail VARCHAR(128) CHARACTER SET utf8mb4,
  IN p_from_number VARCHAR(64) CHARACTER SET utf8mb4,
  IN p_to_number VARCHAR(64) CHARACTER SET utf8mb4,
  IN p_caller_name VARCHAR(255) CHARACTER SET utf8mb4,
  IN p_from_city VARCHAR(128) CHARACTER SET utf8mb4,
  IN p_from_state VARCHAR(128) CHARACTER SET utf8mb4,
  IN p_from_country VARCHAR(64) CHARACTER SET utf8mb4,
  IN p_status VARCHAR(16) CHARACTER SET utf8mb4,
  IN p_status_sequence BIGINT,
  IN p_menu_choice VARCHAR(16) CHARACTER SET utf8mb4,
  IN p_forwarded_to VARCHAR(64) CHARACTER SET utf8mb4,
  IN p_forward_accepted BOOLEAN,
  IN p_dial_status VARCHAR(16) CHARACTER SET utf8mb4,
  IN p_dial_bridged BOOLEAN,
  IN p_talk_s INT,
  IN p_duration_s INT,
  IN p_started_at DATETIME(3),
  IN p_answered_at DATETIME(3),
  IN p_ended_at DATETIME(3),
  IN p_recording_sid VARCHAR(64) CHARACTER SET utf8mb4,
  IN p_recording_url VARCHAR(512) CHARACTER SET utf8mb4,
  IN p_recording_status VARCHAR(16) CHARACTER SET utf8mb4,
  IN p_recording_duration_s INT,
  IN p_transcription_text TEXT CHARACTER SET utf8mb4,
  IN p_transcription_status VARCHAR(16) CHARACTER SET utf8mb4,
  IN p_routing_rule VARCHAR(32) CHARACTER SET utf8mb4,
  IN p_text_back BOOLEAN,
  IN p_call_id BIGINT UNSIGNED
)
MODIFIES SQL DATA
SQL SECURITY INVOKER
BEGIN
  INSERT INTO call_events (call_sid, kind, url_query, dedup_key, params, received_at, routing_rule, routing_detail)
      VALUES (p_event_call_sid, p_event_kind, p_event_url_query, p_event_dedup_key, p_event_params,
      p_event_received_at, p_event_routing_rule, p_event_routing_detail);
  IF p_call_id IS NULL THEN
    INSERT IGNORE INTO calls (sid, from_number, to_number, caller_name, from_city, from_state, from_country, status,
    status_sequence, menu_choice, forwarded_to, forward_accepted, dial_status, dial_bridged, talk_s, duration_s,
    started_at, answered_at, ended_at, recording_sid, recording_url, recording_status, recording_duration_s,
    transcription_text, transcription_status, routing_rule, text_back)
        VALUES (p_event_call_sid, p_from_number, p_to_number, p_caller_name, p_from_city, p_from_state,
        p_from_country, p_status, p_status_sequence, p_menu_choice, p_forwarded_to, p_forward_accepted,
        p_dial_status, p_dial_bridged, p_talk_s, p_duration_s, p_started_at, p_answered_at, p_ended_at,
        p_recording_sid, p_recording_url, p_recording_status, p_recording_duration_s, p_transcription_text,
        p_transcription_status, p_routing_rule, p_text_back);
    IF ROW_COUNT() = 0 THEN
      ROLLBACK;
      SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = 31001, MESSAGE_TEXT = 'switchboard: the call has a row already';
    END IF;
  ELSE
    UPDATE calls SET from_number = p_from_number, to_number = p_to_number, caller_name = p_caller_name, from_city =
    p_from_city, from_state = p_from_state, from_country = p_from_country, status = p_status, status_sequence =
    p_status_sequence, menu_choice = p_menu_choice, forwarded_to = p_forwarded_to, forward_accepted =
    p_forward_accepted, dial_status = p_dial_status, dial_bridged = p_dial_bridged, talk_s = p_talk_s, duration_s =
    p_duration_s, started_at = p_started_at, answered_at = p_answered_at, ended_at = p_ended_at, recording_sid =
    p_recording_sid, recording_url = p_recording_url, recording_status = p_recording_status, recording_duration_s =
    p_recording_duration_s, transcription_text = p_transcription_text, transcription_status = p_transcription_status,
    routing_rule = p_routing_rule, text_back = p_text_back
      WHERE id = p_call_id;
  END IF;
  COMMIT;
END//

DELIMITER ;
