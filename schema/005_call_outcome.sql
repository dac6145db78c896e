-- A call's outcome in one word, computed by the database from the folded row, so that the feed's outcome filter
-- (GET /api/calls?outcome=…, the CSV export) and the summary's counts (GROUP BY outcome) are one definition with an
-- index, instead of every client re-deriving it from menu_choice and has_voicemail.
--
-- It is the SQL twin of store::outcome_of() (fcgi/store/call_record.cc), which writes the same word into each call's
-- JSON: change both together. tests/integration/outcome_test.cpp checks them against each other on every shape of
-- row (every combination of the columns below), so a difference fails the suite.
--   answered     the forward was bridged to the caller
--   voicemail    a recording exists that Twilio did not report "absent" (nothing was recorded)
--   in-progress  no final status and no end yet
--   missed       forwarded (by the caller's choice or by the menu's default), nobody connected, no message
--   abandoned    ended without being forwarded and without a message: hung up in the menu, during the closed
--                or voicemail prompt (before the beep), or in silence at <Record>
-- Text is compared as bytes (nopad_bin), as C++ compares it: the table's collation would match 'Completed' or
-- 'completed ' too, which C++ does not call final.
--
-- Rewrites the table (a stored column): on a large table and on Galera (TOI) run it in a quiet hour.

ALTER TABLE calls
  ADD COLUMN outcome VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin AS (
    CASE
      WHEN dial_bridged THEN 'answered'
      WHEN recording_sid IS NOT NULL AND NOT (recording_status COLLATE utf8mb4_nopad_bin <=> 'absent') THEN 'voicemail'
      WHEN status COLLATE utf8mb4_nopad_bin NOT IN ('completed', 'busy', 'failed', 'no-answer', 'canceled')
           AND ended_at IS NULL THEN 'in-progress'
      WHEN menu_choice COLLATE utf8mb4_nopad_bin <=> 'forward' OR forwarded_to IS NOT NULL OR dial_status IS NOT NULL
           THEN 'missed'
      ELSE 'abandoned'
    END) STORED,
  ADD KEY calls_outcome_newest (outcome, started_at, id);
