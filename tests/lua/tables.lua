-- tables.lua: tables, the table library, metatables.
local t = {10, 20, 30, x = 1, y = 2}
print(#t, t[1], t.x, t["y"], rawlen(t), next({}))
table.insert(t, 40) table.insert(t, 1, 5)
print(table.concat(t, ","), table.remove(t), table.remove(t, 1), table.concat(t, ","))
print(table.unpack({1, 2, 3})) print(select("#", table.unpack({1, nil, 3}, 1, 3)))
local p = table.pack(1, nil, 3) print(p.n, p[1], p[2], p[3])
local words = {"pear", "apple", "fig", "banana", "cherry", "date"}
table.sort(words) print(table.concat(words, " "))
table.sort(words, function(a, b) return #a < #b or (#a == #b and a < b) end) print(table.concat(words, " "))
local nums = {}
for i = 1, 200 do nums[i] = (i * 7919) % 211 end
table.sort(nums) print(nums[1], nums[50], nums[100], nums[200])
table.sort(nums, function(a, b) return a > b end) print(nums[1], nums[200])
print(table.concat(table.move({1, 2, 3, 4, 5}, 2, 4, 1), ","))
local keys = {}
for k in pairs({a = 1, b = 2, c = 3, d = 4}) do keys[#keys + 1] = k end
table.sort(keys) print(table.concat(keys))
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, V) end
V.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a.x < b.x end
V.__len = function() return 2 end
V.__call = function(v, k) return v.x * k end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
function V.new(x, y) return setmetatable({x = x, y = y}, V) end
local a, b = V.new(1, 2), V.new(3, 4)
print(tostring(a + b), a == V.new(1, 2), a < b, #a, a(10), a .. b)
local def = setmetatable({}, {__index = function(_, k) return k .. "!" end, __newindex = function(t, k, v) rawset(t, k, v * 2) end})
def.z = 21 print(def.foo, def.z)
local weak = setmetatable({}, {__mode = "k"})
weak[{}] = 1 collectgarbage() collectgarbage()
local n = 0 for _ in pairs(weak) do n = n + 1 end print("weak entries", n)
local big = {}
for i = 1, 100000 do big[i] = i * i end
local s = 0 for i, v in ipairs(big) do s = s + v end print(#big, s)
local m = {} for i = 1, 1000 do m["k" .. i] = i end
local c = 0 for k, v in pairs(m) do c = c + v end print(c)
print(select(2, "a", "b", "c"), select(-1, "a", "b", "c"))
local closed = {} do local x <close> = setmetatable({}, {__close = function() closed.done = true end}) end print(closed.done)
local gc = setmetatable({}, {__gc = function() print("collected") end}) gc = nil collectgarbage()
print(collectgarbage("count") > 0, collectgarbage("isrunning"))
