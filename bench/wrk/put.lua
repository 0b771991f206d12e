-- The write workload of ../shared/bench/etcd/put.lua, sent to MultiRaft's HTTP API:
-- random keys key00000001..key00100000, a 100-byte value, PUT /kv/<key> with the raw value as body.
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/octet-stream"
local val = string.rep("v", 100)
request = function()
  return wrk.format(nil, string.format("/kv/key%08d", math.random(1, 100000)), nil, val)
end
