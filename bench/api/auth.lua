-- wrk script: every request carries the bearer token in $FL_BENCH_TOKEN.
-- The request is built once by wrk (no request() function), so wrk spends
-- its time on the socket, not in Lua.
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("FL_BENCH_TOKEN"), "FL_BENCH_TOKEN")
