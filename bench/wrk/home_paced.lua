-- wrk script: home.lua's requests, sent on a schedule instead of back to back.
--   wrk -s bench/wrk/home_paced.lua URL -- TOKENS_FILE PATH RATE
-- RATE is requests per second for each wrk thread. A connection that is free takes
-- the next slot of the schedule; with enough connections the rate holds while some
-- requests are slow, so a stall is seen by the requests sent during it (an open
-- load) instead of holding the next requests back (a closed one). When every
-- connection is busy the schedule slips rather than bursts: the rate reached is in
-- the totals, to be checked against RATE.

local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "home.lua")

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } roost_timespec;
int clock_gettime(int clk_id, roost_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now = ffi.new("roost_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
  return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
end

local open = init
function init(args)
  open(args)
  interval = 1000 / tonumber(args[3])
end

function delay()
  local t = now_ms()
  local slot = math.max(next_at or t, t)
  next_at = slot + interval
  return slot - t
end
