-- wrk script for bench/certificate.py's mix: every request GETs the next line of the list in
-- BENCH_MIX ("<lang> <gzip|-> <path>" a line: certificates' pages, valid and revoked, in
-- Indonesian and English, and /verify lookups), sending the language as the site's `lang`
-- cookie and, where the line says gzip, Accept-Encoding: gzip as browsers do. With BENCH_THREADS threads,
-- thread k starts (k - 1) / BENCH_THREADS of the way into the list, goes on in order and starts
-- over at its end, so runs send the same requests.
dofile("bench/wrk_report.lua")  -- defines done(): the BENCH-JSON line

local list = os.getenv("BENCH_MIX") or "bench/out/certificate-mix.txt"
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local thread_count = 0
local requests = {}
local next_request = 1

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  for line in io.lines(list) do
    local lang, encoding, path = line:match("^(%S+)%s+(%S+)%s+(%S+)$")
    if lang then
      local headers = {Cookie = "lang=" .. lang}
      if encoding == "gzip" then
        headers["Accept-Encoding"] = "gzip"
      end
      requests[#requests + 1] = wrk.format("GET", path, headers)
    end
  end
  if #requests == 0 then
    error("no requests in " .. list)
  end
  next_request = math.floor(((thread_number or 1) - 1) * #requests / threads) % #requests + 1
end

function request()
  local prepared = requests[next_request]
  next_request = next_request % #requests + 1
  return prepared
end
