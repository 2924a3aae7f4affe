-- One single-read delta batch per request (POST /api/v1/devices/{id}/reads), for bench/single_read.py.
-- Each wrk thread (one connection) owns one device and sends its reads in time order: the n-th read of a
-- thread ends FIRST + n * STEP seconds (epoch), never in the future. Settings come from the environment.
local device_ids = {}
for id in string.gmatch(os.getenv("DREC_BENCH_DEVICES"), "[^,]+") do
  table.insert(device_ids, id)
end
local first = tonumber(os.getenv("DREC_BENCH_FIRST_END"))
local step = tonumber(os.getenv("DREC_BENCH_STEP_SECONDS"))
local key = os.getenv("DREC_BENCH_API_KEY")
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("device", device_ids[next_thread])
end

local sent = 0

function request()
  local ending = os.date("!%Y-%m-%dT%H:%M:%S+00:00", first + sent * step)
  sent = sent + 1
  local body = '{"type":"delta","unit":"Wh","reads":[{"end":"' .. ending .. '","value":1}]}'
  local headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
  return wrk.format("POST", "/api/v1/devices/" .. device .. "/reads", headers, body)
end
