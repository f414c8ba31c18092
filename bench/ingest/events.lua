-- Realistic Segment track events for the ingestion benchmark (loaded by
-- batch.lua and track.lua with dofile; one copy per wrk thread).
--
-- Each event (about 600 bytes) looks like what analytics.js sends from a
-- shop's pages: a context with page (path, url, referrer, title,
-- search), a campaign for one event in seven, the userAgent of one of a
-- handful of real browsers and the client's IP as a server-side source
-- forwards it; properties of numbers, strings and booleans. A property name always has the same type
-- (the schema registry refuses type changes), and no string is an ISO-8601
-- date, which would make it a timestamp.
--
-- Bodies are built once, at start-up, as templates cut around each event's
-- messageId; a request only fills in its counter, so the load generator
-- spends its time on sending, not on building JSON.

local M = {}

local browsers = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67",
}
local referrers = { "https://www.google.com/", "https://www.bing.com/", "https://t.co/",
  "https://www.facebook.com/", "https://duckduckgo.com/", "", "", "" }
local campaigns = {
  { "spring_sale", "google", "cpc" }, { "newsletter_w18", "newsletter", "email" },
  { "retargeting", "facebook", "paid_social" }, { "brand", "bing", "cpc" },
}
local categories = { "shoes", "jackets", "bags", "accessories", "socks" }
local products = { "Trail Runner", "Rain Shell", "Day Pack", "Wool Beanie", "Merino Socks",
  "Down Vest", "City Sneaker", "Duffel Bag" }
local currencies = { "USD", "EUR", "GBP" }
local buttons = { "add_to_cart", "newsletter_signup", "size_guide", "checkout", "wishlist" }
local plans = { "free", "plus", "pro" }

local function pick(list) return list[math.random(#list)] end

local function uuid()
  return string.format("%08x-%04x-4%03x-%04x-%012x", math.random(0, 0xfffffff),
    math.random(0, 0xffff), math.random(0, 0xfff), math.random(0x8000, 0xbfff),
    math.random(0, 0xfffffff) * 0x10000 + math.random(0, 0xffff))
end

local function ip()
  return string.format("%d.%d.%d.%d", pick({ 23, 31, 46, 62, 77, 81, 84, 92, 151, 185, 203 }),
    math.random(0, 255), math.random(0, 255), math.random(1, 254))
end

-- The event's name, page and properties: each name has its own page and
-- property set; "price" is always a number, "in_stock" always a boolean...
local function product_event(name)
  return function()
    local id = math.random(1000, 9999)
    local product = pick(products)
    local category = pick(categories)
    return name, "/products/" .. id, product .. " | Example Shop",
      string.format('{"product_id":"sku-%d","name":"%s","category":"%s","price":%d.%02d,' ..
        '"currency":"%s","quantity":%d,"in_stock":%s}', id, product, category,
        math.random(9, 249), math.random(0, 99), pick(currencies), math.random(1, 3),
        math.random() < 0.9 and "true" or "false")
  end
end

local kinds = {
  product_event("Product Viewed"),
  product_event("Product Viewed"),
  product_event("Product Added"),
  function()
    local path = pick({ "/", "/sale", "/new", "/about", "/blog/packing-list" })
    return "Page Viewed", path, "Example Shop", string.format(
      '{"path":"%s","logged_in":%s,"scroll_depth":%d}', path,
      math.random() < 0.4 and "true" or "false", math.random(0, 100))
  end,
  function()
    local button = pick(buttons)
    return "Button Clicked", "/products/" .. math.random(1000, 9999), "Example Shop",
      string.format('{"button":"%s","position":%d,"experiment":"hero_%s"}', button,
        math.random(1, 12), pick({ "a", "b" }))
  end,
  function()
    return "Checkout Started", "/checkout", "Checkout | Example Shop", string.format(
      '{"cart_id":"c-%d","value":%d.%02d,"currency":"%s","items":%d,"coupon":"%s"}',
      math.random(100000, 999999), math.random(20, 600), math.random(0, 99), pick(currencies),
      math.random(1, 6), pick({ "", "SPRING10", "WELCOME5" }))
  end,
  function()
    return "Order Completed", "/checkout/thank-you", "Thank you | Example Shop", string.format(
      '{"order_id":"o-%d","revenue":%d.%02d,"tax":%d.%02d,"currency":"%s","items":%d,' ..
      '"first_order":%s}', math.random(100000, 999999), math.random(20, 600),
      math.random(0, 99), math.random(1, 60), math.random(0, 99), pick(currencies),
      math.random(1, 6), math.random() < 0.3 and "true" or "false")
  end,
  function()
    return "Signed Up", "/signup", "Create your account | Example Shop", string.format(
      '{"plan":"%s","trial":%s,"method":"%s"}', pick(plans),
      math.random() < 0.5 and "true" or "false", pick({ "email", "google", "apple" }))
  end,
}

-- The visitors of one wrk thread: a few thousand, 60% of them logged in.
local function visitors(count)
  local list = {}
  for i = 1, count do
    local user_id = math.random() < 0.6 and string.format("user_%d", math.random(1, 10000000))
      or nil
    list[i] = { anonymous_id = uuid(), user_id = user_id, ip = ip(), agent = pick(browsers) }
  end
  return list
end

-- Returns (text before the messageId's counter, text after it) of one event;
-- the messageId is "<prefix><counter>-<index>".
local function event_parts(visitor, prefix, index, timestamp)
  local name, path, title, properties = pick(kinds)()
  local url = "https://shop.example.com" .. path
  local referrer = pick(referrers)
  local campaign = ""
  local search = ""
  if math.random() < 0.15 then
    local c = pick(campaigns)
    search = string.format("?utm_source=%s&utm_medium=%s&utm_campaign=%s", c[2], c[3], c[1])
    campaign = string.format(',"campaign":{"name":"%s","source":"%s","medium":"%s"}',
      c[1], c[2], c[3])
  end
  local user = visitor.user_id and string.format('"userId":"%s",', visitor.user_id) or ""
  local before = string.format('{"type":"track","event":"%s","messageId":"%s', name, prefix)
  local after = string.format(
    '-%d",%s"anonymousId":"%s","timestamp":"%s","context":{"ip":"%s","page":{"path":"%s","referrer":"%s","search":"%s","title":"%s","url":"%s%s"}%s,' ..
    '"userAgent":"%s"},"properties":%s}',
    index, user, visitor.anonymous_id, timestamp, visitor.ip, path, referrer,
    search, title, url, search, campaign, visitor.agent, properties)
  return before, after
end

local function iso8601(seconds, millis)
  return os.date("!%Y-%m-%dT%H:%M:%S", seconds) .. string.format(".%03dZ", millis)
end

-- Templates of `count` bodies of `events` events each. A template is a list
-- of parts; the counter goes at the even positions (see Fill). With
-- `events` = 1 the body is the event itself (/v1/track), else a batch.
function M.templates(seed, prefix, count, events)
  math.randomseed(seed)
  local people = visitors(2000)
  local now = os.time()
  local list = {}
  local bytes = 0
  for t = 1, count do
    local parts = {}
    local text = {}
    local sent_at = iso8601(now, math.random(0, 999))
    for i = 1, events do
      local before, after = event_parts(pick(people), prefix, i,
        iso8601(now - math.random(0, 5), math.random(0, 999)))
      if events > 1 then before = (i == 1 and '{"batch":[' or ",") .. before end
      if events > 1 and i == events then
        after = after .. string.format('],"sentAt":"%s"}', sent_at)
      end
      parts[#parts + 1] = before
      parts[#parts + 1] = "0"  -- the counter
      parts[#parts + 1] = after
      bytes = bytes + #before + #after
    end
    -- Merge each event's "after" with the next one's "before".
    local merged = { parts[1] }
    for i = 2, #parts do
      if i % 3 == 1 then
        merged[#merged] = merged[#merged] .. parts[i]
      else
        merged[#merged + 1] = parts[i]
      end
    end
    list[t] = merged
  end
  return list, bytes / (count * events)
end

-- The template's text with `counter` in every messageId.
function M.fill(template, counter)
  local text = tostring(counter)
  for i = 2, #template, 2 do template[i] = text end
  return table.concat(template)
end

return M
