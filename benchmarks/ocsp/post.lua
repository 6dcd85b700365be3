-- wrk script: POSTs real DER OCSP requests, round-robin.
--   wrk ... -s post.lua URL -- DIR COUNT [PREFIX]
-- sends DIR/<PREFIX>1.der .. DIR/<PREFIX>COUNT.der (PREFIX defaults to "req").
-- Requests are formatted once in init, so the per-request Lua cost is one table index.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "common.lua")

function init(args)
  local dir, count, prefix = args[1], tonumber(args[2]), args[3] or "req"
  for k = 1, count do
    local f = assert(io.open(string.format("%s/%s%d.der", dir, prefix, k), "rb"))
    local body = f:read("*a")
    f:close()
    requests[k] = wrk.format("POST", wrk.path, { ["Content-Type"] = "application/ocsp-request" }, body)
  end
  start_round()
end
