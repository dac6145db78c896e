-- wrk script for the webhook load and its ceiling: cycles through pre-signed incoming-call POSTs
-- (bench/lib/gen-webhooks.py), each request a distinct CallSid, and prints one machine-readable line at the end.
--   wrk -t T -c C -d D -s wrk-post.lua URL -- REQUESTS_FILE FIRST_INDEX T [PATH [CAP]]
-- Thread t of T sends lines FIRST_INDEX + t, + t + T, … so no two requests of a run share a CallSid; PATH (default
-- /twilio/voice) lets the ceiling run POST the same bodies to nginx's static location. A thread keeps at most CAP
-- lines (default 25000), so loading stays cheap; past them it starts over and counts `wrapped` (the bench reports it).
-- response() counts status classes and answers that are not the IVR menu (nginx's fallback TwiML or the app's
-- safety net also come back as 200), so the bench can tell a 200 that stored nothing from one that did.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local entries, count, next_index = {}, 0, 0
local head, mid, mid2, tail, path
-- Globals, so done() can read them from each thread with thread:get().
ok, non2xx, not_menu, sent, wrapped = 0, 0, 0, 0, 0

function init(args)
  local a = {}
  for _, value in ipairs(args) do if value ~= "--" then a[#a + 1] = value end end
  local file, first, nthreads = a[1], tonumber(a[2]), tonumber(a[3])
  path = a[4] or "/twilio/voice"
  local cap = tonumber(a[5] or "25000")
  local f = assert(io.open(file))
  local template = f:read("*l")
  local parts = {}
  for piece in (template .. "\t"):gmatch("([^\t]*)\t") do parts[#parts + 1] = piece end
  head, mid, mid2, tail = parts[2], parts[3], parts[4], parts[5] or ""
  local i = 0
  for line in f:lines() do
    if i >= first and (i - first) % nthreads == tid then
      local sid, from, signature = line:match("^(%S+) (%S+) (%S+)$")
      count = count + 1
      entries[count] = {sid, from, signature}
      if count >= cap then break end
    end
    i = i + 1
  end
  f:close()
  -- Past the end of the file: say so, instead of failing at the first request.
  if count == 0 then
    error("no pre-signed request at index " .. first .. " or after in " .. file .. ": raise REQUESTS in bench/run")
  end
end

function request()
  next_index = next_index + 1
  if next_index > count then next_index, wrapped = 1, wrapped + 1 end
  sent = sent + 1
  local e = entries[next_index]
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = e[3],
    ["I-Twilio-Idempotency-Token"] = e[1],
  }, head .. e[1] .. mid .. e[2] .. mid2 .. e[2] .. tail)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    if not body:find("/twilio/voice/menu", 1, true) then not_menu = not_menu + 1 end
  else
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local total = {ok = 0, non2xx = 0, not_menu = 0, sent = 0, max_sent = 0, wrapped = 0}
  for _, t in ipairs(threads) do
    total.ok = total.ok + t:get("ok")
    total.non2xx = total.non2xx + t:get("non2xx")
    total.not_menu = total.not_menu + t:get("not_menu")
    local s = t:get("sent")
    total.sent = total.sent + s
    if s > total.max_sent then total.max_sent = s end
    total.wrapped = total.wrapped + t:get("wrapped")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "ok2xx=%d non2xx=%d not_menu=%d sockerr=%d timeouts=%d sent=%d max_sent=%d wrapped=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    total.ok, total.non2xx, total.not_menu, e.connect + e.read + e.write, e.timeout, total.sent, total.max_sent,
    total.wrapped))
end
