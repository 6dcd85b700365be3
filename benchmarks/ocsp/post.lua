-- wrk script: POSTs real DER OCSP requests, round-robin.
--   wrk ... -s post.lua URL -- DIR COUNT [PREFIX]
-- sends DIR/<PREFIX>1.der .. DIR/<PREFIX>COUNT.der (PREFIX defaults to "req").
-- Requests are formatted once in init, so the per-request Lua cost is one table index.
local requests = {}
local i = 0
local threads = 0

-- wrk normally probes the address with a connection it closes unused; `openssl ocsp` (3.0) then spins
-- forever reading EOF and stops answering. Resolving without the probe is harmless for the other servers.
function wrk.resolve(host, service)
  wrk.addrs = wrk.lookup(host, service)
end

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  local dir, count, prefix = args[1], tonumber(args[2]), args[3] or "req"
  for k = 1, count do
    local f = assert(io.open(string.format("%s/%s%d.der", dir, prefix, k), "rb"))
    local body = f:read("*a")
    f:close()
    requests[k] = wrk.format("POST", wrk.path, { ["Content-Type"] = "application/ocsp-request" }, body)
  end
  -- Threads start half a round apart, so they do not ask for the same certificate in lockstep.
  i = math.floor((id or 0) * count / 2) % count
end

function request()
  i = i % #requests + 1
  return requests[i]
end

-- One machine-readable line, which run.sh turns into the summary line. errors.status is wrk's count
-- of responses with status >= 400 (none of the servers sends 1xx or 3xx).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d sockerr=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, summary.requests))
end
