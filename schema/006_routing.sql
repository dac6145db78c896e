-- Routing as data (fcgi/routing/): every saved version of the routing document, with who saved it, when, and the
-- version it replaced. The newest row is the routing in force; each host also keeps it as a file in its state
-- directory (routing/snapshot.h), which is what calls are routed from, so routing never waits on this table.
-- A version's number is its predecessor's plus one, and the primary key decides between two admins saving at
-- once: the second insert of the same number fails (on Galera, at certification) and that admin gets 409.
--
-- Each call and each of its events also records which routing rule decided it (blocklist, holiday, away, closed,
-- menu-forward, …, target-answered), so the feed's timeline can say why a call went where it went, and a call the
-- blocklist rejected counts as 'blocked'. calls.text_back is set when the routing in force at the call's start
-- asked for a text message to a caller whose call is missed or goes to voicemail.
--
-- Rewrites calls (the stored outcome column changes): on a large table and on Galera (TOI) run it in a quiet hour.

CREATE TABLE routing_versions (
  version           BIGINT NOT NULL,
  previous_version  BIGINT NULL,
  document          MEDIUMTEXT NOT NULL,
  changed_by        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  changed_at_ms     BIGINT NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE call_events
  ADD COLUMN routing_rule VARCHAR(32) CHARACTER SET ascii NULL,
  ADD COLUMN routing_detail VARCHAR(128) NULL;

ALTER TABLE calls
  ADD COLUMN routing_rule VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN text_back BOOLEAN NULL,
  DROP KEY calls_outcome_newest,
  DROP COLUMN outcome;

-- The SQL twin of store::outcome_of() (fcgi/store/call_record.cc), as in 005 with 'blocked' first: a rejected
-- caller never reached anything else. Compared as bytes without padding, as C++ compares it.
ALTER TABLE calls
  ADD COLUMN outcome VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin AS (
    CASE
      WHEN routing_rule COLLATE ascii_nopad_bin <=> 'blocklist' THEN 'blocked'
      WHEN dial_bridged THEN 'answered'
      WHEN recording_sid IS NOT NULL AND NOT (recording_status COLLATE utf8mb4_nopad_bin <=> 'absent') THEN 'voicemail'
      WHEN status COLLATE utf8mb4_nopad_bin NOT IN ('completed', 'busy', 'failed', 'no-answer', 'canceled')
           AND ended_at IS NULL THEN 'in-progress'
      WHEN menu_choice COLLATE utf8mb4_nopad_bin <=> 'forward' OR forwarded_to IS NOT NULL OR dial_status IS NOT NULL
           THEN 'missed'
      ELSE 'abandoned'
    END) STORED,
  ADD KEY calls_outcome_newest (outcome, started_at, id);
