-- wrk script: POST /v1/batch (or /v1/track) with realistic track events, each
-- with a unique messageId, and a check of every answer.
--
-- usage: wrk ... -s bench/ingest/post_events.lua URL -- AUTH RUN [EVENTS] [PATH]
--   AUTH    base64 of "<write key>:" (HTTP Basic, empty password)
--   RUN     a token unique to this wrk run: messageIds are RUN-t<thread>-<n>-<i>,
--           so that no run's events are taken for another's duplicates
--   EVENTS  events per request (default 100; 1 with PATH /v1/track sends
--           the event alone)
--   PATH    default /v1/batch
--
-- At the end it prints one line for bench/ingest/run:
--   ingest-check ok=N non200=N partial=N socket_errors=N timeouts=N
--   body_bytes=N p50_us=N p99_us=N first_error=...
-- ok: 200 answers whose body says every event was accepted (none a
-- duplicate, none rejected); non200: other statuses; partial: 200 answers
-- that accepted fewer; body_bytes: the average request body.

local script_dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local events = dofile(script_dir .. "events.lua")

local threads = {}
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_index", next_thread)
  table.insert(threads, thread)
end

local templates
local counter = 0
local expected
local path
local headers
ok, non200, partial, first_error = 0, 0, 0, ""
body_bytes = 0

function init(args)
  local auth, run = args[1], args[2]
  local count = tonumber(args[3] or "100")
  path = args[4] or "/v1/batch"
  if not auth or not run then error("usage: -- AUTH RUN [EVENTS] [PATH]") end
  local prefix = string.format("%s-t%d-", run, thread_index)
  local variants = count > 1 and 48 or 1024
  templates = events.templates(thread_index * 7919 + #run, prefix, variants, count)
  expected = string.format('"accepted":%d,"duplicates":0,"rejected":[]', count)
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Basic " .. auth,
    ["User-Agent"] = "analytics-node/2.1.0",
  }
  local total = 0
  for _, template in ipairs(templates) do total = total + #events.fill(template, 100000) end
  body_bytes = math.floor(total / #templates)
end

function request()
  counter = counter + 1
  local body = events.fill(templates[counter % #templates + 1], counter)
  return wrk.format("POST", path, headers, body)
end

function response(status, _, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_error == "" then first_error = status .. " " .. body:sub(1, 300) end
  elseif body:find(expected, 1, true) then
    ok = ok + 1
  else
    partial = partial + 1
    if first_error == "" then first_error = "200 " .. body:sub(1, 300) end
  end
end

function done(summary, latency, _)
  local total = { ok = 0, non200 = 0, partial = 0 }
  local first, bytes = "", 0
  for _, thread in ipairs(threads) do
    for name in pairs(total) do total[name] = total[name] + thread:get(name) end
    local error_text = thread:get("first_error")
    if first == "" and error_text ~= "" then first = error_text end
    bytes = thread:get("body_bytes")
  end
  local errors = summary.errors
  io.write(string.format(
    "ingest-check ok=%d non200=%d partial=%d socket_errors=%d timeouts=%d body_bytes=%d " ..
    "p50_us=%d p99_us=%d first_error=%s\n",
    total.ok, total.non200, total.partial, errors.connect + errors.read + errors.write,
    errors.timeout, bytes, latency:percentile(50), latency:percentile(99),
    (first:gsub("%s+", " "))))
end
