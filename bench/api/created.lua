-- Shared by the wrk scripts that create things (issues.lua, requests.lua):
-- each thread counts the answers that were not 201 in its global `failed`;
-- report(threads, name) sums them at the end of the run and prints the line
-- bench/api/run checks.
local M = {}

function M.report(threads, name)
    local f = 0
    for _, t in ipairs(threads) do
        f = f + (t:get("failed") or 0)
    end
    io.write(string.format("%s: %d answers not 201\n", name, f))
end

return M
