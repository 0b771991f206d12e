-- Writes keys key00000001..key00100000 once, each thread its own share (thread i of n writes
-- i+1, i+1+n, i+1+2n, ...), and stops each thread once its share has been answered.
-- The same 100-byte value and PUT /kv/<key> as put.lua.
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/octet-stream"
local val = string.rep("v", 100)
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  index = index or 0
  count = #args > 0 and tonumber(args[1]) or 2
end

local answered = 0

request = function()
  local key = (index + counter * count) % 100000 + 1
  counter = counter + 1
  return wrk.format(nil, string.format("/kv/key%08d", key), nil, val)
end

response = function()
  answered = answered + 1
  if answered * count >= 100000 then
    wrk.thread:stop()
  end
end
