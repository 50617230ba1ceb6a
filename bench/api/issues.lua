-- wrk script: POST /api/v1/issues, each body a different title; priority
-- from impact x urgency. With FL_BENCH_STOP_AT set, each thread stops after
-- its share of that many requests (filling the tenant for the list benchmark).

-- The directory of this script, so that `require` finds created.lua beside it.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local created = require("created")
local threads = {}
local nthreads = tonumber(os.getenv("FL_BENCH_THREADS") or "2")
local stop_at = tonumber(os.getenv("FL_BENCH_STOP_AT") or "0")

function setup(thread)
    thread:set("tid", #threads)
    table.insert(threads, thread)
end

local headers, seq, impacts, urgencies, failed, answered

function init(args)
    headers = {
        ["Authorization"] = "Bearer " .. assert(os.getenv("FL_BENCH_TOKEN"), "FL_BENCH_TOKEN"),
        ["Content-Type"] = "application/json",
    }
    impacts = {"widespread", "significant", "moderate", "minor"}
    urgencies = {"immediate", "high", "medium", "low"}
    seq, failed, answered = 0, 0, 0
end

function request()
    seq = seq + 1
    local body = string.format(
        '{"title":"Bench issue %d-%d","description":"created by bench/api/issues.lua",' ..
        '"impact":"%s","urgency":"%s","source":"api"}',
        tid, seq, impacts[seq % 4 + 1], urgencies[math.floor(seq / 4) % 4 + 1])
    return wrk.format("POST", "/api/v1/issues", headers, body)
end

function response(status, hdrs, body)
    answered = answered + 1
    if status ~= 201 then
        failed = failed + 1
    end
    if stop_at > 0 and answered >= stop_at / nthreads then
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    created.report(threads, "issues")
end
