#include "ingest/enrich/user_agent_classifier.h"

#include <algorithm>
#include <array>

namespace cdp::ingest::enrich {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         EqualsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

bool ContainsIgnoreCase(std::string_view text, std::string_view needle) {
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                     [](char x, char y) { return Lower(x) == Lower(y); }) != text.end();
}

bool Contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

template <size_t N>
bool ContainsAny(std::string_view text, const std::array<std::string_view, N>& needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view needle) { return Contains(text, needle); });
}

constexpr std::array<std::string_view, 4> kCrawlerWordEndings = {"bot", "crawler", "spider",
                                                                 "scraper"};
// Words that end like a crawler's name but are not one.
constexpr std::array<std::string_view, 1> kNotCrawlerWords = {"cubot"};
constexpr std::array<std::string_view, 8> kToolPrefixes = {
    "curl/",         "wget/",           "python-requests/", "python-urllib/",
    "python-httpx/", "go-http-client/", "libwww-perl/",     "httpie/"};
constexpr std::array<std::string_view, 3> kHeadlessMarkers = {"headlesschrome", "phantomjs",
                                                              "chrome-lighthouse"};

bool HasCrawlerWord(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (!IsLetter(text[i])) {
      ++i;
      continue;
    }
    const size_t begin = i;
    while (i < text.size() && IsLetter(text[i])) ++i;
    const std::string_view word = text.substr(begin, i - begin);
    const bool crawler_ending =
        std::any_of(kCrawlerWordEndings.begin(), kCrawlerWordEndings.end(),
                    [&](std::string_view ending) { return EndsWithIgnoreCase(word, ending); });
    if (crawler_ending &&
        std::none_of(kNotCrawlerWords.begin(), kNotCrawlerWords.end(),
                     [&](std::string_view excluded) { return EqualsIgnoreCase(word, excluded); })) {
      return true;
    }
  }
  return false;
}

constexpr std::array<std::string_view, 8> kTvOrConsoleMarkers = {
    "SmartTV", "SMART-TV", "GoogleTV", "Android TV", "CrKey", "PlayStation", "Xbox", "Nintendo"};
constexpr std::array<std::string_view, 10> kMobileOsFamilies = {
    "iOS",        "Android",    "Windows Phone", "BlackBerry OS", "KaiOS",
    "Symbian OS", "Firefox OS", "HarmonyOS",     "Tizen",         "Bada"};
constexpr std::array<std::string_view, 4> kMobileDeviceFamilies = {
    "iPhone", "iPod", "Generic Smartphone", "Generic Feature Phone"};
constexpr std::array<std::string_view, 24> kDesktopOsFamilies = {
    "Mac OS X",  "Mac OS", "Chrome OS", "Linux",    "Ubuntu", "Kubuntu", "Debian",     "Fedora",
    "Red Hat",   "CentOS", "SUSE",      "openSUSE", "Mint",   "Gentoo",  "Arch Linux", "Mandriva",
    "Slackware", "Mageia", "FreeBSD",   "OpenBSD",  "NetBSD", "Solaris", "SunOS",      "Haiku"};

template <size_t N>
bool IsOneOf(std::string_view value, const std::array<std::string_view, N>& values) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool IsDesktopOs(std::string_view os) {
  if (os.starts_with("Windows")) {
    return !os.starts_with("Windows Phone") && !os.starts_with("Windows CE") &&
           !os.starts_with("Windows Mobile");
  }
  return IsOneOf(os, kDesktopOsFamilies);
}

}  // namespace

bool IsBotUserAgent(const UserAgentInfo& info, std::string_view user_agent) {
  if (user_agent.empty()) return false;
  if (info.device_family == "Spider" || info.browser_family == "Spider") return true;
  if (HasCrawlerWord(user_agent)) return true;
  for (std::string_view prefix : kToolPrefixes) {
    if (StartsWithIgnoreCase(user_agent, prefix)) return true;
  }
  for (std::string_view marker : kHeadlessMarkers) {
    if (ContainsIgnoreCase(user_agent, marker)) return true;
  }
  return false;
}

DeviceType ClassifyDeviceType(const UserAgentInfo& info, std::string_view user_agent) {
  if (info.is_bot) return DeviceType::kBot;
  if (Contains(info.device_family, "TV") || Contains(info.device_model, "TV") ||
      ContainsAny(user_agent, kTvOrConsoleMarkers)) {
    return DeviceType::kOther;
  }
  const bool android = info.os_family == "Android";
  if (info.device_family.starts_with("iPad") || Contains(info.device_family, "Tablet") ||
      Contains(info.device_family, "Kindle") || info.device_brand == "Generic_Android_Tablet" ||
      Contains(user_agent, "Tablet;") || (android && !Contains(user_agent, "Mobile"))) {
    return DeviceType::kTablet;
  }
  if (IsOneOf(info.os_family, kMobileOsFamilies) ||
      IsOneOf(info.device_family, kMobileDeviceFamilies) || Contains(user_agent, "Mobi")) {
    return DeviceType::kMobile;
  }
  if (IsDesktopOs(info.os_family)) return DeviceType::kDesktop;
  return DeviceType::kOther;
}

}  // namespace cdp::ingest::enrich
