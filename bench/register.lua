-- wrk script for bench/registration.py: every request signs up a new participant (or, in
-- control mode, only asks the server to hash the same password). The session cookie and the
-- CSRF token of one GET /register come from the environment; wrk keeps sending that cookie,
-- so the token stays valid. Each thread numbers its own email addresses.
dofile("bench/wrk_report.lua")  -- defines done(): the BENCH-JSON line

local counter = 0
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

local mode = os.getenv("BENCH_MODE") or "register"
local run = os.getenv("BENCH_RUN") or "run"
local cookie = os.getenv("BENCH_COOKIE") or ""
local token = os.getenv("BENCH_CSRF") or ""
local password = os.getenv("BENCH_PASSWORD") or ""
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = cookie,
}

function request()
  counter = counter + 1
  if mode == "control" then
    return wrk.format("POST", "/_bench/password-hash", headers,
      "csrf_token=" .. token .. "&password=" .. password)
  end
  local email = string.format("%s-t%d-%d%%40example.com", run, thread_number or 0, counter)
  local body = "csrf_token=" .. token .. "&name=Peserta+Uji+Beban&email=" .. email
    .. "&password=" .. password
  return wrk.format("POST", "/register", headers, body)
end
