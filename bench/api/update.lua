-- wrk script: PUT /api/v1/users/{id} {"name":"Bench <thread>-<n>"} without
-- If-Match, so each command expects the user's current version. Two
-- concurrent updates of one user would conflict (409), so each thread owns
-- its share of the ids in $FL_BENCH_IDS (a file, one id a line) and a user is
-- lent to one request at a time: taken in request(), given back in response()
-- by the id in the answer's body. Every name differs, so no update is a no-op.

local threads = {}
local nthreads = tonumber(os.getenv("FL_BENCH_THREADS") or "2")

function setup(thread)
    thread:set("tid", #threads)
    table.insert(threads, thread)
end

local headers, free, all, seq, failed, borrowed

function init(args)
    headers = {
        ["Authorization"] = "Bearer " .. assert(os.getenv("FL_BENCH_TOKEN"), "FL_BENCH_TOKEN"),
        ["Content-Type"] = "application/json",
    }
    free, all = {}, {}
    seq, failed, borrowed = 0, 0, 0
    local i = 0
    local path = assert(os.getenv("FL_BENCH_IDS"), "FL_BENCH_IDS")
    local f = assert(io.open(path))
    local text = f:read("*a")
    f:close()
    for line in text:gmatch("[^\n]+") do
        if i % nthreads == tid then
            table.insert(free, line)
            table.insert(all, line)
        end
        i = i + 1
    end
end

function request()
    seq = seq + 1
    local id = table.remove(free)
    if id == nil then
        -- Only after answers without an id (errors): reuse one, and count it.
        borrowed = borrowed + 1
        id = all[seq % #all + 1]
    end
    local body = string.format('{"name":"Bench %d-%d"}', tid, seq)
    return wrk.format("PUT", "/api/v1/users/" .. id, headers, body)
end

function response(status, hdrs, body)
    local id = body:match('"id":%s*"([0-9a-f%-]+)"')
    if status == 200 and id ~= nil then
        table.insert(free, id)
    else
        failed = failed + 1
    end
end

function done(summary, latency, requests)
    local f, b = 0, 0
    for _, t in ipairs(threads) do
        f = f + (t:get("failed") or 0)
        b = b + (t:get("borrowed") or 0)
    end
    io.write(string.format("update: %d answers not 200 with the user, %d users lent twice\n", f, b))
end
