-- wrk script for bench/standing.sh.
--
-- Environment:
--   BENCH_PATH   path, with %s replaced by a random code from BENCH_CODES (e.g. /api/v1/standing/%s); default /healthz
--   BENCH_CODES  file of codes, one per line (optional; without it BENCH_PATH is requested as it is)
--   BENCH_TOKEN  bearer token sent as Authorization (optional)
--
-- Every response's status is counted (a run full of 401s or 404s measures nothing), and done() prints one line:
--   RESULT requests=… rps=… p50_ms=… p99_ms=… max_ms=… non2xx=… socket_errors=… statuses=200:…,404:…

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_id", counter)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
   codes = {}
   local path = os.getenv("BENCH_PATH") or "/healthz"
   local token = os.getenv("BENCH_TOKEN")
   local headers = {}
   if token and token ~= "" then
      headers["Authorization"] = "Bearer " .. token
   end
   local file = os.getenv("BENCH_CODES")
   if file and file ~= "" then
      for line in io.lines(file) do
         if line ~= "" then
            codes[#codes + 1] = line
         end
      end
   end
   if #codes == 0 or not string.find(path, "%s", 1, true) then
      fixed = wrk.format("GET", path, headers)
      return
   end
   -- Format the request once around a marker and splice each code in: no per-request formatting cost, so the
   -- client spends as little CPU as possible on this shared machine.
   local marker = "\1CODE\1"
   local template = wrk.format("GET", string.format(path, marker), headers)
   local at = string.find(template, marker, 1, true)
   before = string.sub(template, 1, at - 1)
   after = string.sub(template, at + #marker)
   math.randomseed(7919 * (thread_id or 1))
end

function request()
   if fixed then
      return fixed
   end
   return before .. codes[math.random(#codes)] .. after
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local counts = {}
   local non2xx = 0
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         counts[status] = (counts[status] or 0) + n
         if status < 200 or status > 299 then
            non2xx = non2xx + n
         end
      end
   end
   local keys = {}
   for status in pairs(counts) do
      keys[#keys + 1] = status
   end
   table.sort(keys)
   local parts = {}
   for _, status in ipairs(keys) do
      parts[#parts + 1] = status .. ":" .. counts[status]
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d statuses=%s\n",
      summary.requests,
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000,
      latency:percentile(99) / 1000,
      latency.max / 1000,
      non2xx,
      e.connect + e.read + e.write + e.timeout,
      table.concat(parts, ",")))
end
