-- misc.lua: closures, varargs, goto, integer loops, string buffers, load.
local function counter() local n = 0 return function() n = n + 1 return n end end
local c1, c2 = counter(), counter() print(c1(), c1(), c2(), c1())
local function va(...) return select("#", ...), ... end print(va(1, nil, 3, nil))
local function sum(...) local s = 0 for _, v in ipairs({...}) do s = s + v end return s end print(sum(1, 2, 3, 4.5))
for i = 10, 1, -3 do io.write(i, " ") end print()
for i = 1, 3 do for j = 1, 3 do if j == 2 then goto continue end io.write(i, j, " ") ::continue:: end end print()
for i = math.maxinteger - 2, math.maxinteger do io.write(i, " ") end print()
for x = 0, 1, 0.25 do io.write(x, " ") end print()
local parts = {} for i = 1, 1000 do parts[#parts + 1] = tostring(i) end local s = table.concat(parts)
print(#s, s:sub(1, 20), s:sub(-10))
local env = {print = print, x = 5} local chunk = load("x = x * 2 return x", "chunk", "t", env) print(chunk(), env.x, x)
print(string.dump ~= nil, type(load(string.dump(function() return 42 end))))
local fib = {} local function F(n) if n < 2 then return n end if fib[n] then return fib[n] end local v = F(n - 1) + F(n - 2) fib[n] = v return v end
print(F(80), F(90))
local function ack(m, n) if m == 0 then return n + 1 elseif n == 0 then return ack(m - 1, 1) else return ack(m - 1, ack(m, n - 1)) end end print(ack(2, 3))
local sieve, primes = {}, {} for i = 2, 10000 do if not sieve[i] then primes[#primes + 1] = i for j = i * i, 10000, i do sieve[j] = true end end end
print(#primes, primes[#primes])
print(string.format("%5.1f%%", 99.44), ("abc"):rep(0), ("a,b,,c"):gsub(",", ";"))
print(os.getenv("TORO_SURELY_UNSET_VARIABLE"), type(os.tmpname), os.execute == nil)
print(_VERSION, math.type(2^31), 2^31 | 0, string.format("%d", 3.0))
print(next({}, nil), rawequal("a", "a"), rawget({5}, 1), #arg, arg[0] ~= nil)
