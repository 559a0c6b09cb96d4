-- math.lua: the math library.
print(math.pi, math.huge, -math.huge, math.maxinteger, math.mininteger)
print(math.abs(-3), math.abs(-3.5), math.ceil(3.2), math.floor(-3.2), math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3.5))
print(math.sqrt(2), math.exp(1), math.log(10), math.log(8, 2), math.log(100, 10), math.log(27, 3))
print(math.sin(1), math.cos(1), math.tan(1), math.asin(0.5), math.acos(0.5), math.atan(1), math.atan(1, -1), math.atan(-1, -1))
print(math.modf(3.7), math.modf(-3.7), math.modf(5), math.modf(math.huge))
print(math.tointeger(3.0), math.tointeger(3.5), math.tointeger("8"), math.type(1), math.type(1.0), math.type("1"))
print(math.max(1, 5, 3), math.min(4, -2, 9), math.max(1.5, 2), math.ult(1, -1))
print(3 == 3.0, 2^53 == 2^53 + 1, math.maxinteger + 1 == math.mininteger, math.maxinteger + 0.0)
for _, x in ipairs({0.1, 0.5, 1, 2, 10, 100, 1e-5, 123.456}) do
	print(x, math.sqrt(x), math.exp(x), math.log(x), math.sin(x), math.cos(x), x ^ 0.5, x ^ 3)
end
math.randomseed(42)
local t = {}
for i = 1, 10 do t[#t + 1] = math.random(100) end
print(table.concat(t, " "))
print(math.random(5, 10), math.random(-3, 3), math.random(0) ~= nil, math.floor(math.random() * 1000))
math.randomseed(7, 11)
print(math.random(1, 1000000), math.random(1, 1000000))
local sum = 0
for i = 1, 100000 do sum = sum + 1 / i end
print(sum, string.format("%.10f", sum))
local acc = 1
for i = 1, 20 do acc = acc * i end
print(acc, 2^0.5, 10 // 3, -10 // 3, 10.0 // 3, 2^-1, 0/0 ~= 0/0)
print(string.format("%.15g %.15g %.15g", math.exp(-745), math.exp(709), math.log(1e-300)))
print(7 // 0.0, -7 // 0.0, 0/0 == 0/0, pcall(function() return 1 // 0 end))
print(pcall(function() return 1 % 0 end))
