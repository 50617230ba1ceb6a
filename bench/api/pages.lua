-- wrk script: GET $FL_BENCH_PAGES_PATH&page=P&order=O (default
-- /api/v1/users?per_page=25) walking 800 distinct lists (pages 1..400,
-- ascending then descending), each thread from its own random start, with the
-- bearer token in $FL_BENCH_TOKEN. Far more lists than the read cache keeps
-- (64 per tenant): nearly every request is answered by PostgreSQL, which is
-- the list's uncached cost.
local pages = 400
local path = os.getenv("FL_BENCH_PAGES_PATH") or "/api/v1/users?per_page=25"

function setup(thread)
    thread:set("n", math.random(0, 2 * pages - 1))
end

wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("FL_BENCH_TOKEN"), "FL_BENCH_TOKEN")

function request()
    n = n + 1
    local order = math.floor(n / pages) % 2 == 0 and "asc" or "desc"
    return wrk.format("GET", path .. "&page=" .. (n % pages + 1) .. "&order=" .. order)
end
