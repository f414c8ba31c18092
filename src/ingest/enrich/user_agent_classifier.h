#pragma once

#include <string_view>

#include "ingest/enrich/user_agent.h"

namespace cdp::ingest::enrich {

// Whether a user agent is a bot, crawler or scripted client. Bots are tagged
// (is_bot), never dropped. The rule, in order:
//  1. uap-core says so: device family "Spider" (its crawler rules), or the
//     browser family "Spider" (some crawlers are only caught there).
//  2. The string has a crawler word: a maximal run of ASCII letters that ends
//     in "bot", "crawler", "spider" or "scraper", case-insensitively
//     ("Googlebot/2.1", "AhrefsBot", "Slackbot-LinkExpanding", "MJ12bot").
//     uap-core's own generic rule only looks at the first 100 characters; this
//     looks at the whole string. A run of letters is a whole word, so "Abbott"
//     or "bottle" never count; the one known phone brand that ends in "bot",
//     "Cubot" (UA "...; CUBOT_X19 Build/..."), is excluded by name.
//  3. It starts with an HTTP tool or library (case-insensitively): "curl/",
//     "Wget/", "python-requests/", "python-urllib/", "python-httpx/",
//     "Go-http-client/", "libwww-perl/", "HTTPie/".
//  4. It has a headless-browser or page-audit marker anywhere:
//     "HeadlessChrome", "PhantomJS", "Chrome-Lighthouse".
// An empty user agent is not judged a bot (nothing is known).
// REQUIRES: `info` holds uap-core's answer for `user_agent`.
bool IsBotUserAgent(const UserAgentInfo& info, std::string_view user_agent);

// The coarse device type, from uap-core's answer and a few tokens that browsers
// put in their user agent for this purpose. The first rule that applies:
//  1. bot: info.is_bot.
//  2. other: a TV, console or set-top box: the device family or model has
//     "TV", or the string has "SmartTV", "SMART-TV", "GoogleTV", "Android TV",
//     "CrKey" (Chromecast), "PlayStation", "Xbox" or "Nintendo".
//  3. tablet: the device family starts with "iPad" or contains "Tablet" or
//     "Kindle", or uap-core's brand is "Generic_Android_Tablet", or the string
//     has "Tablet;" (Firefox for Android tablets) or
//     is an Android one without "Mobile" (Chrome and the Android browser
//     write "Mobile" on phones only, as Google recommends).
//  4. mobile: the OS family is iOS, Android, Windows Phone, BlackBerry OS,
//     KaiOS, Symbian OS, Firefox OS, HarmonyOS, Tizen or Bada; or the device family
//     is iPhone, iPod, Generic Smartphone or Generic Feature Phone; or the
//     string has "Mobi" (MDN's advice for detecting mobiles).
//  5. desktop: the OS family is a desktop one (Windows but not Windows
//     Phone/CE/Mobile, Mac OS X, Chrome OS, Linux and its distributions, the
//     BSDs, Solaris).
//  6. other: anything else (HTTP libraries, unknown strings, the empty one).
// Known limits: iPadOS 13+ Safari sends a Mac user agent (desktop), and
// Chrome's reduced Android user agent keeps the Mobile token, so phones and
// tablets still tell apart.
DeviceType ClassifyDeviceType(const UserAgentInfo& info, std::string_view user_agent);

}  // namespace cdp::ingest::enrich
