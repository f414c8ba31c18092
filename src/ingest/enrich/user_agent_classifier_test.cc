#include "ingest/enrich/user_agent_classifier.h"

#include <gtest/gtest.h>

namespace cdp::ingest::enrich {
namespace {

UserAgentInfo Info(std::string browser, std::string os, std::string device, std::string brand = "",
                   std::string model = "") {
  UserAgentInfo info;
  info.browser_family = std::move(browser);
  info.os_family = std::move(os);
  info.device_family = std::move(device);
  info.device_brand = std::move(brand);
  info.device_model = std::move(model);
  return info;
}

DeviceType Classify(UserAgentInfo info, std::string_view user_agent) {
  info.is_bot = IsBotUserAgent(info, user_agent);
  return ClassifyDeviceType(info, user_agent);
}

TEST(IsBotUserAgentTest, UapCoreSpiders) {
  EXPECT_TRUE(IsBotUserAgent(Info("Googlebot", "Other", "Spider"), "Googlebot/2.1"));
  EXPECT_TRUE(IsBotUserAgent(Info("Spider", "Other", "Other"), "PetalBot"));
}

TEST(IsBotUserAgentTest, CrawlerWords) {
  const UserAgentInfo other = Info("Other", "Other", "Other");
  for (const char* agent :
       {"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "MJ12bot/v1.4.8",
        "Slackbot-LinkExpanding 1.0", "bot", "Some Crawler", "examplespider", "SiteScraper 1.0",
        "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36; compatible; GPTBot/1.0",
        "X_BOT_Y"}) {
    EXPECT_TRUE(IsBotUserAgent(other, agent)) << agent;
  }
  for (const char* agent :
       {"Mozilla/5.0 (Linux; Android 9; CUBOT_X19) Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 10; CUBOT KING KONG 5 Pro)", "Abbott Diagnostics App/1.0",
        "bottle/0.12", "Robotics Browser",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36", ""}) {
    EXPECT_FALSE(IsBotUserAgent(other, agent)) << agent;
  }
}

TEST(IsBotUserAgentTest, ToolsAtTheStart) {
  const UserAgentInfo other = Info("Other", "Other", "Other");
  for (const char* agent : {"curl/8.4.0", "Wget/1.21.3", "python-requests/2.31.0",
                            "Python-urllib/3.11", "python-httpx/0.25.0", "Go-http-client/2.0",
                            "libwww-perl/6.67", "HTTPie/3.2.2", "CURL/7"}) {
    EXPECT_TRUE(IsBotUserAgent(other, agent)) << agent;
  }
  // Only at the start: an app that mentions curl is not curl.
  EXPECT_FALSE(IsBotUserAgent(other, "MyApp/1.0 (uses curl/8.4.0)"));
}

TEST(IsBotUserAgentTest, HeadlessBrowsers) {
  const UserAgentInfo linux_chrome = Info("HeadlessChrome", "Linux", "Other");
  EXPECT_TRUE(IsBotUserAgent(
      linux_chrome, "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0.6099.109 Safari/537.36"));
  EXPECT_TRUE(IsBotUserAgent(linux_chrome, "Mozilla/5.0 (Unknown; Linux x86_64) PhantomJS/2.1.1"));
  EXPECT_TRUE(IsBotUserAgent(linux_chrome, "Mozilla/5.0 Chrome/120.0 Chrome-Lighthouse"));
}

TEST(ClassifyDeviceTypeTest, Rules) {
  EXPECT_EQ(Classify(Info("Googlebot", "Android", "Spider"), "Googlebot Mobile"), DeviceType::kBot);
  EXPECT_EQ(Classify(Info("Safari", "Tizen", "Samsung SMART-TV"), "(SMART-TV; LINUX; Tizen 6.0)"),
            DeviceType::kOther);
  EXPECT_EQ(Classify(Info("Chrome", "Android", "Other"), "Android 12; CrKey"), DeviceType::kOther);
  EXPECT_EQ(Classify(Info("Mobile Safari", "iOS", "iPad"), "iPad; CPU OS 16_6"),
            DeviceType::kTablet);
  EXPECT_EQ(Classify(Info("Chrome", "Android", "SM-X700", "Generic_Android_Tablet"),
                     "Android 12; SM-X700) Safari"),
            DeviceType::kTablet);
  EXPECT_EQ(Classify(Info("Chrome", "Android", "Other"), "Android 12; X) Chrome Safari"),
            DeviceType::kTablet);
  EXPECT_EQ(Classify(Info("Firefox Mobile", "Android", "Generic Tablet"), "Android 13; Tablet;"),
            DeviceType::kTablet);
  EXPECT_EQ(Classify(Info("Amazon Silk", "Android", "Kindle"), "KFTRWI Silk"), DeviceType::kTablet);
  EXPECT_EQ(Classify(Info("Chrome Mobile", "Android", "K"), "Android 10; K) Mobile Safari"),
            DeviceType::kMobile);
  EXPECT_EQ(Classify(Info("Mobile Safari", "iOS", "iPhone"), "iPhone OS 17 Mobile"),
            DeviceType::kMobile);
  EXPECT_EQ(Classify(Info("IE Mobile", "Windows Phone", "Other"), "Windows Phone 8.0"),
            DeviceType::kMobile);
  EXPECT_EQ(Classify(Info("Opera Mini", "Other", "Generic Feature Phone"), "Opera Mini"),
            DeviceType::kMobile);
  EXPECT_EQ(Classify(Info("Other", "Other", "Other"), "SomeBrowser Mobi"), DeviceType::kMobile);
  EXPECT_EQ(Classify(Info("Chrome", "Windows", "Other"), "Windows NT 10.0"), DeviceType::kDesktop);
  EXPECT_EQ(Classify(Info("Safari", "Mac OS X", "Mac", "Apple", "Mac"), "Macintosh"),
            DeviceType::kDesktop);
  EXPECT_EQ(Classify(Info("Firefox", "Ubuntu", "Other"), "X11; Ubuntu"), DeviceType::kDesktop);
  EXPECT_EQ(Classify(Info("Chrome", "Chrome OS", "Other"), "X11; CrOS"), DeviceType::kDesktop);
  EXPECT_EQ(Classify(Info("Other", "Other", "Other"), "SomeApp/1.0"), DeviceType::kOther);
  EXPECT_EQ(Classify(Info("Other", "Other", "Other"), ""), DeviceType::kOther);
}

TEST(DeviceTypeTest, Names) {
  EXPECT_EQ(DeviceTypeName(DeviceType::kDesktop), "desktop");
  EXPECT_EQ(DeviceTypeName(DeviceType::kMobile), "mobile");
  EXPECT_EQ(DeviceTypeName(DeviceType::kTablet), "tablet");
  EXPECT_EQ(DeviceTypeName(DeviceType::kBot), "bot");
  EXPECT_EQ(DeviceTypeName(DeviceType::kOther), "other");
}

}  // namespace
}  // namespace cdp::ingest::enrich
