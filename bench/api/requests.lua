-- wrk script: POST /api/v1/requests for the catalog item that carries the spec's
-- example laptop form (bench/forms_laptop.json). The bodies are the eight of
-- bench/forms.c with this tenant's ids: FL_BENCH_ITEM (the published item),
-- FL_BENCH_USER (an active user for the user picker), FL_BENCH_APP (an active
-- application), FL_BENCH_FILE (an uploaded PDF). "Needed by" is a week from now.

-- The directory of this script, so that `require` finds created.lua beside it.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local created = require("created")
local threads = {}
local headers, bodies, seq, failed, answered

function setup(thread)
    table.insert(threads, thread)
end

local function env(name)
    return assert(os.getenv(name), name)
end

function init(args)
    headers = {
        ["Authorization"] = "Bearer " .. env("FL_BENCH_TOKEN"),
        ["Content-Type"] = "application/json",
    }
    local item, user, app, file = env("FL_BENCH_ITEM"), env("FL_BENCH_USER"),
        env("FL_BENCH_APP"), env("FL_BENCH_FILE")
    local due = os.date("!%Y-%m-%d", os.time() + 7 * 86400)
    local forms = {
        '{"field_1":"ThinkPad X1 Carbon Gen 12","field_2":"32gb","field_3":["office","slack"],' ..
            '"field_4":"I travel weekly to customer sites and my current laptop is five years old.",' ..
            '"field_5":"DUE","field_6":"USER","field_7":"APP","field_8":["FILE"],"field_9":true,"field_10":1}',
        '{"field_1":"MacBook Pro 14","field_2":"16gb","field_4":"New starter in the design team, ' ..
            'joining on the first of next month.","field_5":"DUE","field_6":"USER","field_9":true,"field_10":1}',
        '{"field_1":"Dell XPS 15","field_2":"64gb","field_3":["adobe"],"field_4":"Video editing ' ..
            'for the marketing launch: the current machine cannot render 4K timelines.",' ..
            '"field_5":"DUE","field_6":"USER","field_8":["FILE"],"field_9":true,"field_10":2}',
        '{"field_1":"Surface Laptop 6","field_2":"16gb","field_4":"Replacement for a laptop stolen ' ..
            'from a car last week; police report attached.","field_5":"DUE","field_6":"USER",' ..
            '"field_7":"APP","field_9":true}',
        '{"field_1":"ThinkPad T14s","field_2":"32gb","field_3":[],"field_4":"Three laptops for ' ..
            'the new support shift in Lisbon, which starts in January.","field_5":"DUE",' ..
            '"field_6":"USER","field_9":true,"field_10":3}',
        '{"field_1":"HP EliteBook 840","field_2":"32gb","field_3":["office","adobe","slack"],' ..
            '"field_4":"Finance needs to run the quarter-end models locally; they do not fit in 16 GB.",' ..
            '"field_5":"DUE","field_6":"USER","field_7":"APP","field_9":true,"field_10":1}',
        '{"field_1":"MacBook Air 13","field_2":"16gb","field_4":"A light machine for a sales ' ..
            'manager who is on the road four days out of five.","field_5":"DUE","field_6":"USER",' ..
            '"field_9":true,"field_10":1}',
        '{"field_1":"Framework Laptop 13","field_2":"64gb","field_3":["slack"],"field_4":"Builds ' ..
            'of the mobile app take forty minutes on the current laptop.","field_5":"DUE",' ..
            '"field_6":"USER","field_7":"APP","field_8":["FILE"],"field_9":true,"field_10":1}',
    }
    bodies = {}
    for i, f in ipairs(forms) do
        f = f:gsub("DUE", due):gsub("USER", user):gsub("APP", app):gsub("FILE", file)
        bodies[i] = '{"catalog_item_id":"' .. item .. '","priority":"medium","form_data":' .. f .. '}'
    end
    seq, failed, answered = 0, 0, 0
end

function request()
    seq = seq + 1
    return wrk.format("POST", "/api/v1/requests", headers, bodies[seq % #bodies + 1])
end

function response(status, hdrs, body)
    answered = answered + 1
    if status ~= 201 then
        failed = failed + 1
        if failed <= 3 then
            io.stderr:write("requests: " .. status .. " " .. body .. "\n")
        end
    end
end

function done(summary, latency, requests)
    created.report(threads, "requests")
end
