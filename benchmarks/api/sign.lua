-- wrk script: POSTs one signing request (JSON with a CSR) to /api/ca/<SERIAL>/sign/ with a bearer token.
--   wrk ... -s sign.lua URL -- BODY_FILE TOKEN
-- Every response must be 201: anything else is counted and printed at the end.
local body, token
local other = 0

function wrk.resolve(host, service)
  wrk.addrs = wrk.lookup(host, service)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  body = f:read("*a")
  f:close()
  token = args[2]
end

function request()
  return wrk.format("POST", wrk.path, { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function response(status, headers, body)
  if status ~= 201 then other = other + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f rate=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
