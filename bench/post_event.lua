-- wrk script: POST /api/v1/events with a bearer token from the environment (SARHAD_TOKEN).
-- Each request carries a slightly different position so that the border locate runs for real.
local token = os.getenv("SARHAD_TOKEN")
local counter = 0

request = function()
  counter = counter + 1
  local lat = 25.5 + (counter % 400) * 0.01
  local lon = 61.5 + (counter % 170) * 0.01
  local body = string.format(
    '{"category":"SUSPICIOUS_ACTIVITY","impact":"MEDIUM","lat":%.4f,"lon":%.4f,' ..
    '"title":"bench %d","release":["IRN"]}', lat, lon, counter)
  return wrk.format("POST", "/api/v1/events", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
