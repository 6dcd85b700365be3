-- wrk script: GETs OCSP requests in the URL (RFC 6960 A.1), round-robin.
--   wrk ... -s get.lua URL -- PATHFILE
-- PATHFILE holds one request path per line (base URL path + percent-encoded base64 DER request).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "common.lua")

function init(args)
  for path in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("GET", path)
  end
  start_round()
end
