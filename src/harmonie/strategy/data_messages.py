"""The sentences of the strategy data files, for ``makemessages`` (which does not read TOML).

The pages translate them at run time (metric names, benchmark labels, the advisor's market claims and notes);
listing them here puts them in the catalogue. ``tests/test_views.py`` fails when a data file gains a sentence
that is missing here or untranslated in French.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

METRIC_NAMES = (
    gettext_noop("Reach"),
    gettext_noop("Impressions"),
    gettext_noop("Engagement rate"),
    gettext_noop("Engagements"),
    gettext_noop("Clicks"),
    gettext_noop("Click-through rate"),
    gettext_noop("Follower growth"),
    gettext_noop("Followers"),
    gettext_noop("Share of voice"),
    gettext_noop("Net sentiment"),
    gettext_noop("First response time"),
    gettext_noop("Response rate"),
    gettext_noop("Conversions"),
    gettext_noop("Store visits"),
    gettext_noop("Leads"),
    gettext_noop("Video views"),
    gettext_noop("Job applications"),
    gettext_noop("Cost per result"),
)

BENCHMARK_LABELS = (
    gettext_noop("Fortune 500 companies in Europe, 2010 average on Twitter"),
    gettext_noop("Fortune 500 companies in Europe, 2010 average on Facebook"),
    gettext_noop("Two feed posts a week (plus two stories a day) to grow followers"),
    gettext_noop("3 to 7 feed posts a week (middle of the range)"),
    gettext_noop("1 to 2 posts a day (middle of the range)"),
    gettext_noop("1 to 5 posts a day (middle of the range)"),
    gettext_noop("Once per weekday: 20 posts a month reach about 60% of the audience"),
    gettext_noop("3 posts a day; engagement decreases slightly after the third"),
)

MARKET_SENTENCES = (
    gettext_noop("Snapchat reaches 94% of 15–24-year-olds in France"),
    gettext_noop("Threads opened in the European Union in December 2023."),
    gettext_noop("LinkedIn counted over 12 million members in the German-speaking countries in 2018"),
    gettext_noop(
        "Xing is the professional network of the German-speaking countries, now centred on jobs and recruiting"
    ),
    gettext_noop("WhatsApp was the messaging app most used regularly in Germany in a 2016 survey"),
    gettext_noop(
        "Xing had about 1.1 million members in Switzerland at the end of 2018, "
        "about one in three workers in German-speaking Switzerland"
    ),
    gettext_noop("83% of U.S. adults say they use YouTube (Pew Research Center, 2023 survey)"),
    gettext_noop("68% of U.S. adults say they use Facebook (Pew Research Center, 2023 survey)"),
    gettext_noop("47% of U.S. adults say they use Instagram (Pew Research Center, 2023 survey)"),
    gettext_noop("35% of U.S. adults say they use Pinterest (Pew Research Center, 2023 survey)"),
    gettext_noop("33% of U.S. adults say they use TikTok (Pew Research Center, 2023 survey)"),
    gettext_noop(
        "TikTok's U.S. business moved to a U.S.-controlled joint venture under a deal signed in December 2025."
    ),
    gettext_noop("30% of U.S. adults say they use LinkedIn (Pew Research Center, 2023 survey)"),
    gettext_noop("29% of U.S. adults say they use WhatsApp (Pew Research Center, 2023 survey)"),
    gettext_noop("27% of U.S. adults say they use Snapchat (Pew Research Center, 2023 survey)"),
    gettext_noop("22% of U.S. adults say they use X (Pew Research Center, 2023 survey)"),
    gettext_noop("WhatsApp is installed on 99% of smartphones in Brazil"),
    gettext_noop("Instagram is installed on 81% of smartphones in Brazil"),
    gettext_noop("X was blocked in Brazil by the Supreme Court from 30 August to 8 October 2024."),
    gettext_noop("Bluesky gained many Brazilian users while X was blocked in 2024."),
    gettext_noop("LINE is the most used messaging app in Japan"),
    gettext_noop("YouTube is the most used social platform in Japan after LINE"),
    gettext_noop("Japan is X's second-largest market after the United States"),
    gettext_noop("WeChat (Weixin) is China's most used messaging and social app"),
    gettext_noop("Douyin, the Chinese version of TikTok, leads short video in China"),
    gettext_noop("Weibo is China's main public microblogging platform"),
    gettext_noop("Facebook has been blocked by the Great Firewall since 2009."),
    gettext_noop("Instagram has been blocked since 2014."),
    gettext_noop("Twitter, now X, is blocked by the Great Firewall."),
    gettext_noop("YouTube has been inaccessible since March 2009."),
    gettext_noop("Pinterest has been blocked since March 2017."),
    gettext_noop("WhatsApp has been blocked since 2017."),
    gettext_noop("LinkedIn closed its Chinese social network in 2021 and its last China job app in 2023."),
    gettext_noop("TikTok is not offered in mainland China, where ByteDance runs Douyin instead."),
    gettext_noop("Threads needs an Instagram account, and Instagram is blocked in China."),
    gettext_noop("LINE has been blocked since July 2014 (announced as temporary at the time)."),
    gettext_noop("KakaoTalk has been blocked since July 2014 (announced as temporary at the time)."),
    gettext_noop("Access from mainland China has not been checked."),
    gettext_noop("VK reached about 73% of Russia's population in December 2023 (Mediascope)"),
    gettext_noop("Roskomnadzor has blocked Facebook since 4 March 2022."),
    gettext_noop("Roskomnadzor has blocked Instagram since 14 March 2022."),
    gettext_noop("Roskomnadzor has restricted access to X since February 2022."),
    gettext_noop("LinkedIn has been blocked since November 2016 under the data localisation law."),
    gettext_noop("Meta is designated 'extremist' in Russia and Instagram, which Threads needs, is blocked."),
    gettext_noop("YouTube has been deliberately slowed down in Russia since the summer of 2024."),
    gettext_noop("TikTok suspended new uploads and live streams from Russia in March 2022."),
    gettext_noop(
        "WhatsApp calls have been restricted since August 2025, and Meta is designated 'extremist' in Russia."
    ),
    gettext_noop("A single secondary report says Bluesky is blocked in Russia; to be confirmed."),
    gettext_noop("KakaoTalk is South Korea's leading messaging app, with about 45 million monthly users in 2024"),
    gettext_noop("YouTube has been South Korea's most used app since December 2023"),
    gettext_noop("Only 0.1% of messaging users in South Korea used WhatsApp frequently in a 2016 survey"),
    gettext_noop("WhatsApp reaches about 430 million users in India (Comscore, 2025)"),
    gettext_noop("WhatsApp Channels launched in India in September 2023."),
    gettext_noop("YouTube is India's most used social platform, with about 456 million users (Comscore, 2025)"),
    gettext_noop("Instagram reaches about 481 million people in India (DataReportal estimate)"),
    gettext_noop("Facebook reaches about 403 million people in India (DataReportal estimate)"),
    gettext_noop("Snapchat reaches about 213 million people in India (DataReportal estimate)"),
    gettext_noop("X has about 22 million users in India (DataReportal estimate)"),
    gettext_noop("India has banned TikTok since June 2020."),
    gettext_noop("India has banned WeChat since June 2020."),
    gettext_noop("Weibo is among the 59 Chinese apps India banned in June 2020."),
)
