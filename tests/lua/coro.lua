-- coro.lua: coroutines.
local function gen(n)
	return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end return "done" end)
end
local g = gen(3) print(g(), g(), g(), g())
local co = coroutine.create(function(a, b)
	print("start", a, b)
	local c = coroutine.yield(a + b)
	print("got", c)
	local d, e = coroutine.yield(c * 2)
	print("got", d, e)
	return "end", a + b + c + d + e
end)
print(coroutine.resume(co, 1, 2)) print(coroutine.status(co))
print(coroutine.resume(co, 10)) print(coroutine.resume(co, 100, 1000))
print(coroutine.status(co), coroutine.resume(co))
local bad = coroutine.create(function() error("inside") end)
print(coroutine.resume(bad)) print(coroutine.status(bad))
print(coroutine.isyieldable(), select(2, coroutine.running()))
local function producer() return coroutine.create(function() for _, v in ipairs({"a", "b", "c"}) do coroutine.yield(v) end end) end
local function filter(p) return coroutine.create(function() while true do local ok, v = coroutine.resume(p) if not v then return end coroutine.yield(v:upper()) end end) end
local f = filter(producer())
while true do local ok, v = coroutine.resume(f) if not v then break end io.write(v, " ") end print()
local function perms(a, n)
	n = n or #a
	if n <= 1 then coroutine.yield(a) else
		for i = 1, n do a[n], a[i] = a[i], a[n] perms(a, n - 1) a[n], a[i] = a[i], a[n] end
	end
end
local count = 0
for p in coroutine.wrap(function() perms({1, 2, 3, 4}) end) do count = count + 1 if count <= 3 then print(table.concat(p, "")) end end
print("permutations", count)
local deep = coroutine.wrap(function() local function r(n) if n == 0 then coroutine.yield("bottom") else return r(n - 1) end end r(1000) end)
print(deep())
local ok, err = pcall(coroutine.wrap(function() error({code = 7}) end)) print(ok, type(err), err.code)
local cl = coroutine.create(function() coroutine.yield() end) coroutine.resume(cl) print(coroutine.close(cl), coroutine.status(cl))
local n = 0 for i = 1, 1000 do local c = coroutine.wrap(function(x) return x + 1 end) n = n + c(i) end print(n)
