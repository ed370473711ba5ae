"""Per-network post validation: how each network counts a text, and every limit of docs/network-apis.md.

X lengths marked "conformance" are pinned to twitter-text's own conformance file, ``validate.yml`` (repository
twitter/twitter-text, ``conformance/tests/validate.yml`` at commit 3b8031c80efe49f16fd282a55e28eb23aef2ad85),
section ``WeightedTweetsWithDiscountedEmojiCounterTest`` — the config v3 counter; the cases without emoji have the
same values in the v2 section ``WeightedTweetsCounterTest``. Texts are copied as read, written with escapes where
an invisible character matters.
"""

from __future__ import annotations

import unicodedata
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harmonie.content.networks import (
    LIMITS,
    NETWORKS,
    MediaInfo,
    Problem,
    count_hashtags,
    count_links,
    count_mentions,
    grapheme_length,
    limits_for,
    mastodon_length,
    measure,
    text_with_link,
    threads_length,
    url_spans,
    utf8_length,
    utf16_length,
    validate_post,
    x_weighted_length,
)

E_ACUTE_DECOMPOSED = "e\u0301"  # e + COMBINING ACUTE ACCENT
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧: 3 emoji joined by 2 ZWJ, 18 UTF-8 bytes
FAMILY_OF_FOUR = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦
FLAG_FR = "\U0001f1eb\U0001f1f7"  # 🇫🇷: two regional indicators
THUMBS_UP_MEDIUM = "\U0001f44d\U0001f3fd"  # 👍🏽: emoji + skin tone modifier
LONG_URL = "https://www.vireo-industries.example/fr/actualites/portes-ouvertes-lyon-2027?utm_source=social&x=100"


def _jpeg(size: int = 500_000, **kwargs: object) -> MediaInfo:
    return MediaInfo(kind="image", mime_type="image/jpeg", size_bytes=size, **kwargs)


def _mp4(seconds: float | None = 30, size: int = 20_000_000, **kwargs: object) -> MediaInfo:
    return MediaInfo(kind="video", mime_type="video/mp4", size_bytes=size, duration_seconds=seconds, **kwargs)


def _codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


# -- graphemes -------------------------------------------------------------------------------------------------


def test_graphemes_count_what_a_reader_sees_as_one_character():
    assert grapheme_length("\u00e9") == 1
    assert grapheme_length(E_ACUTE_DECOMPOSED) == 1
    assert grapheme_length(FAMILY) == 1
    assert grapheme_length(FLAG_FR) == 1
    assert grapheme_length(THUMBS_UP_MEDIUM) == 1
    assert grapheme_length("caf" + E_ACUTE_DECOMPOSED) == 4
    assert grapheme_length(f"Lyon {FLAG_FR}{FAMILY}") == 7


def test_bluesky_takes_exactly_300_graphemes_and_refuses_301():
    assert validate_post(network="bluesky", text="a" * 300) == []
    assert validate_post(network="bluesky", text=E_ACUTE_DECOMPOSED * 300) == []  # 300 graphemes, 900 bytes
    assert validate_post(network="bluesky", text="a" * 301) == [
        Problem(
            code="text_too_long",
            field="text",
            message="Bluesky allows 300 characters (graphemes); this text has 301. Shorten it by 1.",
        )
    ]
    assert measure("bluesky", "b" * 312) == 312
    assert validate_post(network="bluesky", text="b" * 312)[0].message == (
        "Bluesky allows 300 characters (graphemes); this text has 312. Shorten it by 12."
    )


def test_bluesky_also_refuses_more_than_3000_bytes_within_300_graphemes():
    text = FAMILY * 300  # 300 graphemes of 18 bytes
    assert grapheme_length(text) == 300
    assert validate_post(network="bluesky", text=text) == [
        Problem(
            code="text_too_many_bytes",
            field="text",
            message=(
                "Bluesky also allows at most 3,000 bytes (UTF-8); this text has 5,400 bytes. Shorten it by 2,400 "
                "bytes (an accented letter takes 2, an emoji 4 or more)."
            ),
        )
    ]
    assert _codes(validate_post(network="bluesky", text=FAMILY * 301)) == ["text_too_long", "text_too_many_bytes"]
    exactly = FAMILY * 150 + "\u00e9" * 150  # 300 graphemes, 2700 + 300 = 3000 bytes
    assert validate_post(network="bluesky", text=exactly) == []
    one_byte_over = FAMILY * 150 + "\u00e9" * 149 + "東"  # 300 graphemes, 3001 bytes
    assert _codes(validate_post(network="bluesky", text=one_byte_over)) == ["text_too_many_bytes"]


# -- X: twitter-text v3 ----------------------------------------------------------------------------------------


def test_x_takes_280_ascii_characters_and_refuses_281():
    assert validate_post(network="x", text="a" * 280) == []
    assert validate_post(network="x", text="a" * 281) == [
        Problem(
            code="text_too_long",
            field="text",
            message=(
                "X allows 280 characters as it counts them (a link counts 23, an emoji or a CJK character 2); "
                "this text counts 281. Shorten it by 1."
            ),
        )
    ]


def test_x_counts_cjk_twice():
    assert x_weighted_length("東" * 140) == 280
    assert validate_post(network="x", text="東" * 140) == []
    assert x_weighted_length("東" * 141) == 282
    assert validate_post(network="x", text="東" * 141)[0].message == (
        "X allows 280 characters as it counts them (a link counts 23, an emoji or a CJK character 2); "
        "this text counts 282. Shorten it by 2."
    )


def test_x_counts_any_url_as_23():
    assert len(LONG_URL) == 100
    assert x_weighted_length(LONG_URL) == 23
    assert x_weighted_length(f"Portes ouvertes : {LONG_URL}") == 18 + 23
    assert x_weighted_length("www.vireo.example/fr") == 23
    assert x_weighted_length("Voir https://vireo.example.") == 5 + 23 + 1  # the final full stop is not the URL's
    assert x_weighted_length("(https://vireo.example/a_(b))") == 1 + 23 + 1  # balanced parenthesis kept
    assert validate_post(network="x", text="a" * 256 + " " + LONG_URL) == []  # 256 + 1 + 23 = 280


def test_x_normalizes_to_nfc_and_counts_emoji_sequences_as_two():
    assert x_weighted_length("caf\u00e9") == 4
    assert x_weighted_length("caf" + E_ACUTE_DECOMPOSED) == 4
    assert x_weighted_length("\U0001f600") == 2  # 😀
    assert x_weighted_length(FAMILY) == 2
    assert x_weighted_length(FLAG_FR) == 2
    assert x_weighted_length(THUMBS_UP_MEDIUM) == 2
    assert x_weighted_length("\u2764\ufe0f") == 2  # ❤️: red heart + emoji presentation selector
    assert x_weighted_length("1\ufe0f\u20e3") == 2  # keycap 1️⃣
    assert x_weighted_length("\u00a9") == 1  # a bare © is text, weight 1
    assert x_weighted_length("\u2014") == 1  # em dash, U+2014 in the weight-1 range U+2010–U+201F
    assert x_weighted_length("\u2026") == 2  # … U+2026 is outside the weight-1 ranges


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi http://test.co", 26),  # conformance: "Regular Tweet with url"
        ("http://test.co", 23),  # conformance: "Just url"
        ("285 chars-" + "xxxxxxxxxx-" * 25, 285),  # conformance: "Long tweet, overflow at char index 280"
        ("285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24, 299),  # conformance: url in the middle
        ("xxxxxxxxxx-" * 24 + " http://www.twitter.com/jack ", 289),  # conformance: url at the end
        ("https://www.twitter.com/aloha " * 10, 240),  # conformance: "10 url string, no overflow"
        ("\U0001f637" * 160, 320),  # conformance: "160 emoji char, overflow at char index 140"
        ("H\U0001f431\u263a" + FAMILY_OF_FOUR, 7),  # conformance: "Count a mix of single byte single word..."
        ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),  # conformance: emoji "inside the BMP"
        ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),  # conformance: "...with skin tone modifiers"
        (FAMILY_OF_FOUR * 140, 280),  # conformance: "140 family emoji"
        (
            "Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; "
            "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
            34,
        ),  # conformance: "Unicode 10.0 emoji" (the last one is the flag of England, a tag sequence)
        ("Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe", 29),  # conformance: "Unicode 9.0 emoji"
        (
            "This is a tweet with general punctuation characters: "
            "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b "
            "‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷",
            110,
        ),  # conformance: "Handle General Punctuation Characters with visible spaces(u2000-200A), no ZWJ/ZWNJ"
        ("randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68),  # conformance: 64-char domain
        (
            "あいうえおかきくけこ" * 12 + " http://" + "あいうえおかきくけこ" * 5 + "あいう.com",
            358,
        ),  # conformance: host > 63
        (
            "あいうえおかきくけこ" * 12 + " http://" + "あいうえおかきくけこ" * 5 + "あい.com",
            264,
        ),  # conformance: host ≤ 63
        ("\u2066\u202ahttp://foobar.\u067e\u0627\u06a9\u0633\u062a\u0627\u0646/\u202c\u2069", 31),  # conformance
        ("ABC\u202a\uffffABC\ufffe", 12),  # conformance (UnicodeDirectionalMarkerCounterTest): invalid characters
        ("A\ufb2c", 4),  # conformance (v2 section): "שּׁ is normalized into 3 chars"
        ("282 chars-" + "xxxxxxxxxx-" * 24 + "xxxxx\u00c1x", 281),  # conformance: normalized character
    ],
)
def test_x_weighted_length_matches_twitter_text_conformance(text, expected):
    assert x_weighted_length(text) == expected


def test_x_bare_domains_are_a_known_difference_from_twitter_text():
    # twitter-text counts "test.com" (a valid TLD, no scheme) as a 23-character URL (conformance: "Count a URL
    # without protocol as 23 characters", and 86 for "Test https://test.com test https://test.com test.com test").
    # We detect only http(s):// and www. links, so a bare domain counts character by character.
    assert x_weighted_length("test.com") == 8
    assert x_weighted_length("Test https://test.com test https://test.com test.com test") == 71


def test_x_refuses_invisible_characters():
    assert validate_post(network="x", text="Bonjour\ufeff") == [
        Problem(
            code="text_invalid_characters",
            field="text",
            message=(
                "X refuses the invisible characters U+FEFF, U+FFFE and U+FFFF; this text has one: remove it "
                "(retyping the text around it is enough)."
            ),
        )
    ]


# -- Mastodon --------------------------------------------------------------------------------------------------


def test_mastodon_counts_a_url_as_23_and_a_remote_mention_as_the_username():
    assert mastodon_length(LONG_URL) == 23
    assert mastodon_length("@vireo_de@mastodon.social") == len("@vireo_de")
    assert mastodon_length("@vireo_de") == 9
    assert mastodon_length("contact@vireo.example") == 21  # an e-mail address is not a mention
    assert mastodon_length("www.vireo.example/" + "a" * 50) == 68  # no scheme: Mastodon counts it as written
    assert mastodon_length(f"Bonjour {FLAG_FR} caf{E_ACUTE_DECOMPOSED}") == 14  # graphemes
    tail = f" {LONG_URL} @vireo_de@mastodon.social"  # 1 + 23 + 1 + 9 = 34
    assert validate_post(network="mastodon", text="x" * 466 + tail, instance_text_max=500) == []
    assert validate_post(network="mastodon", text="x" * 467 + tail, instance_text_max=500) == [
        Problem(
            code="text_too_long",
            field="text",
            message=(
                "Mastodon allows 500 characters on this server (a link counts 23, a mention @user@server counts as "
                "@user); this text counts 501. Shorten it by 1."
            ),
        )
    ]


def test_mastodon_instance_limit_replaces_the_default():
    assert limits_for("mastodon").text_max == 500
    bigger = limits_for("mastodon", instance_text_max=5000)
    assert bigger.text_max == 5000
    assert bigger.source.endswith("Text limit 5000 read from the instance configuration.")
    assert validate_post(network="mastodon", text="x" * 501) != []
    assert validate_post(network="mastodon", text="x" * 501, instance_text_max=5000) == []
    with pytest.raises(ValueError, match=r"Only Mastodon has an instance text limit, not 'x'\."):
        limits_for("x", instance_text_max=1000)
    with pytest.raises(ValueError, match="must be positive"):
        limits_for("mastodon", instance_text_max=0)


def test_mastodon_takes_one_gif_alone_and_checks_pixels_and_alt_text():
    gif = MediaInfo(kind="image", mime_type="image/gif", size_bytes=1_000_000)
    assert validate_post(network="mastodon", text="Lyon", media=[gif]) == []
    assert validate_post(network="mastodon", text="Lyon", media=[gif, _jpeg()]) == [
        Problem(
            code="gif_alone", field="media", message="Mastodon takes a GIF on its own: post it without other media."
        )
    ]
    huge = _jpeg(width=8000, height=6000)  # 48,000,000 px
    assert validate_post(network="mastodon", text="Lyon", media=[huge])[0].message == (
        "Media 1 is 8,000×6,000 (48,000,000 pixels); Mastodon accepts up to 33,177,600 pixels. Resize it."
    )
    assert validate_post(network="mastodon", text="Lyon", media=[_jpeg(alt_text="a" * 1500)]) == []
    assert validate_post(network="mastodon", text="Lyon", media=[_jpeg(alt_text="a" * 1501)]) == [
        Problem(
            code="alt_text_too_long",
            field="media",
            message="The alternative text of media 1 has 1,501 characters; Mastodon allows 1,500. Shorten it by 1.",
        )
    ]
    assert validate_post(network="mastodon", text="Lyon", media=[_jpeg(size=16_777_217)])[0].message == (
        "Media 1 weighs 16,777,217 bytes; Mastodon accepts images up to 16,777,216 bytes. Compress or resize it."
    )


# -- Instagram, Threads, YouTube, TikTok, LinkedIn, Facebook ---------------------------------------------------


def test_instagram_counts_hashtags_and_mentions():
    tags = " ".join(f"#tag{i}" for i in range(30))
    assert count_hashtags(tags) == 30
    assert validate_post(network="instagram", text=tags, media=[_jpeg()]) == []
    assert validate_post(network="instagram", text=tags + " #lyon", media=[_jpeg()]) == [
        Problem(
            code="too_many_hashtags", field="text", message="Instagram allows 30 hashtags; this text has 31. Remove 1."
        )
    ]
    mentions = " ".join(f"@vireo.user_{i}" for i in range(21))
    assert count_mentions(mentions) == 21
    assert validate_post(network="instagram", text=mentions, media=[_jpeg()]) == [
        Problem(
            code="too_many_mentions", field="text", message="Instagram allows 20 @mentions; this text has 21. Remove 1."
        )
    ]
    # Not hashtags or mentions: a URL fragment, an HTML entity, an e-mail address.
    assert count_hashtags("https://vireo.example/page#section &#39; C#") == 0
    assert count_mentions("contact@vireo.example https://mastodon.social/@vireo") == 0
    assert count_hashtags("#Lyon ＃東京 #été") == 3


def test_instagram_needs_media_takes_jpeg_only_and_no_link():
    assert validate_post(network="instagram", text="Portes ouvertes") == [
        Problem(code="media_required", field="media", message="Instagram needs an image or a video: add one.")
    ]
    gif = MediaInfo(kind="image", mime_type="image/gif", size_bytes=100_000)
    assert validate_post(network="instagram", text="Lyon", media=[gif]) == [
        Problem(
            code="image_type",
            field="media",
            message="Media 1 (image/gif) is not an image type Instagram accepts: use JPEG.",
        )
    ]
    assert validate_post(network="instagram", text="Lyon", media=[_jpeg(width=1080, height=1350)]) == []  # 4:5
    assert validate_post(network="instagram", text="Lyon", media=[_jpeg(width=1080, height=1920)]) == [
        Problem(
            code="image_aspect_ratio",
            field="media",
            message="Media 1 is 1,080×1,920 (0.56:1); Instagram accepts images from 0.8:1 to 1.91:1. Crop it.",
        )
    ]
    assert validate_post(network="instagram", text="Lyon", media=[_jpeg()], link="https://vireo.example") == [
        Problem(
            code="link_unsupported",
            field="link",
            message="Instagram does not publish links (they are not clickable there): remove the link.",
        )
    ]
    eleven = [_jpeg()] * 6 + [_mp4()] * 5
    assert validate_post(network="instagram", text="Lyon", media=eleven) == [
        Problem(
            code="too_many_media",
            field="media",
            message="Instagram takes at most 10 images and videos in one post; this post has 11. Remove 1.",
        )
    ]


def test_threads_allows_five_links_and_counts_emoji_in_bytes():
    links = " ".join(f"https://vireo.example/{i}" for i in range(5))
    assert count_links(links) == 5
    assert validate_post(network="threads", text=links) == []
    assert validate_post(network="threads", text=links + " www.vireo.example") == [
        Problem(code="too_many_links", field="text", message="Threads allows 5 links; this text has 6. Remove 1.")
    ]
    # Without media the post's link becomes the link attachment, which still counts among the links.
    assert _codes(validate_post(network="threads", text=links, link="https://vireo.example/fr")) == ["too_many_links"]
    assert threads_length("\U0001f600") == 4
    assert threads_length(FAMILY) == 18
    assert threads_length(FLAG_FR) == 8
    assert validate_post(network="threads", text="a" * 496 + "\U0001f600") == []
    assert validate_post(network="threads", text="a" * 497 + "\U0001f600") == [
        Problem(
            code="text_too_long",
            field="text",
            message=(
                "Threads allows 500 characters (an emoji counts its UTF-8 bytes: 4 for 😀); this text counts 501. "
                "Shorten it by 1."
            ),
        )
    ]


def test_youtube_needs_one_video_a_title_and_a_description_within_5000_bytes():
    assert validate_post(network="youtube", text="Visite", title="Visite de l'usine") == [
        Problem(code="media_required", field="media", message="YouTube needs a video: add one.")
    ]
    video = [_mp4(seconds=600, size=800_000_000)]
    assert validate_post(network="youtube", text="\u00e9" * 2500, media=video, title="Visite") == []  # 5000 bytes
    assert validate_post(network="youtube", text="\u00e9" * 2501, media=video, title="Visite") == [
        Problem(
            code="text_too_long",
            field="text",
            message=(
                "YouTube allows 5,000 bytes (UTF-8: an accented letter takes 2, an emoji 4); this text has 5,002 "
                "bytes. Shorten it by 2 bytes."
            ),
        )
    ]
    assert validate_post(network="youtube", text="", media=[*video, _jpeg()], title="a" * 101 + "<") == [
        Problem(code="too_many_images", field="media", message="YouTube takes no images; remove the image."),
        Problem(
            code="title_too_long",
            field="title",
            message="YouTube allows 100 characters in a title; this title has 102. Shorten it by 2.",
        ),
        Problem(code="title_characters", field="title", message="YouTube refuses < and > in a title: remove them."),
    ]
    assert _codes(validate_post(network="youtube", text="", media=video, title=" ")) == ["title_required"]
    webm = MediaInfo(kind="video", mime_type="video/webm", size_bytes=1_000_000, duration_seconds=10)
    assert validate_post(network="youtube", text="", media=[webm]) == []  # any video/* type


def test_tiktok_counts_utf16_and_has_no_first_comment():
    assert utf16_length("\U0001f600") == 2
    assert utf16_length("\u00e9") == 1
    video = [_mp4(width=1080, height=1920)]
    assert validate_post(network="tiktok", text="a" * 2198 + "\U0001f600", media=video) == []
    assert validate_post(network="tiktok", text="a" * 2199 + "\U0001f600", media=video)[0].message == (
        "TikTok allows 2,200 characters (UTF-16 units: an emoji counts 2); this text has 2,201. Shorten it by 1."
    )
    assert validate_post(network="tiktok", text="Lyon", media=video, first_comment="#usine") == [
        Problem(
            code="first_comment_unsupported",
            field="first_comment",
            message="TikTok cannot publish a first comment through its API: remove it.",
        )
    ]
    small = [_mp4(seconds=2, width=200, height=300)]
    assert validate_post(network="tiktok", text="Lyon", media=small) == [
        Problem(
            code="video_too_short", field="media", message="Media 1 lasts 2 s; TikTok needs videos of at least 3 s."
        ),
        Problem(
            code="video_dimensions",
            field="media",
            message="Media 1 is 200×300; TikTok needs each side between 360 and 4,096 pixels. Resize it.",
        ),
    ]


def test_linkedin_and_facebook_count_code_points():
    assert validate_post(network="linkedin", text="\u00e9" * 3000) == []
    assert validate_post(network="linkedin", text=E_ACUTE_DECOMPOSED * 1500) == []  # 3000 code points
    assert validate_post(network="linkedin", text=E_ACUTE_DECOMPOSED * 1501) == [
        Problem(
            code="text_too_long",
            field="text",
            message="LinkedIn allows 3,000 characters; this text has 3,002. Shorten it by 2.",
        )
    ]
    assert validate_post(network="facebook", text="a" * 63_206) == []
    assert validate_post(network="facebook", text="a" * 63_207)[0].message == (
        "Facebook allows 63,206 characters; this text has 63,207. Shorten it by 1."
    )


# -- media -----------------------------------------------------------------------------------------------------


def test_x_takes_four_images_or_one_video_or_one_gif():
    assert validate_post(network="x", text="Lyon", media=[_jpeg()] * 4) == []
    assert validate_post(network="x", text="Lyon", media=[_jpeg()] * 5) == [
        Problem(
            code="too_many_images",
            field="media",
            message="X takes at most 4 images in one post; this post has 5. Remove 1.",
        )
    ]
    assert validate_post(network="x", text="Lyon", media=[_mp4(), _mp4()]) == [
        Problem(
            code="too_many_videos",
            field="media",
            message="X takes at most 1 video in one post; this post has 2. Remove 1.",
        )
    ]
    assert validate_post(network="x", text="Lyon", media=[_jpeg(), _mp4()]) == [
        Problem(
            code="media_mix",
            field="media",
            message="X does not mix images and videos in one post: keep the images or the video.",
        )
    ]
    gif = MediaInfo(kind="image", mime_type="image/gif", size_bytes=12_000_000)
    assert validate_post(network="x", text="Lyon", media=[gif]) == []  # GIFs may weigh 15 MB
    assert _codes(validate_post(network="x", text="Lyon", media=[gif, _jpeg()])) == ["gif_alone"]
    assert validate_post(network="x", text="", media=[_jpeg()]) == []  # media without text


def test_media_types_sizes_and_durations():
    webm = MediaInfo(kind="video", mime_type="video/webm", size_bytes=1_000_000, duration_seconds=10)
    assert validate_post(network="bluesky", text="Lyon", media=[webm]) == [
        Problem(
            code="video_type",
            field="media",
            message="Media 1 (video/webm) is not a video type Bluesky accepts: use MP4.",
        )
    ]
    heic = MediaInfo(kind="image", mime_type="image/heic", size_bytes=1_000_000)
    assert validate_post(network="x", text="Lyon", media=[heic])[0].message == (
        "Media 1 (image/heic) is not an image type X accepts: use JPEG, PNG, GIF or WebP."
    )
    assert validate_post(network="x", text="Lyon", media=[_jpeg(size=6_000_000)]) == [
        Problem(
            code="image_too_large",
            field="media",
            message="Media 1 weighs 6 MB; X accepts images up to 5 MB. Compress or resize it.",
        )
    ]
    assert validate_post(network="bluesky", text="Lyon", media=[_jpeg(size=2_000_000)]) == []
    assert validate_post(network="bluesky", text="Lyon", media=[_jpeg(size=2_000_001)])[0].message == (
        "Media 1 weighs 2,000,001 bytes; Bluesky accepts images up to 2,000,000 bytes. Compress or resize it."
    )
    gif = MediaInfo(kind="image", mime_type="image/gif", size_bytes=16_000_000)
    assert validate_post(network="x", text="Lyon", media=[gif])[0] == Problem(
        code="gif_too_large",
        field="media",
        message="Media 1 weighs 16 MB; X accepts GIFs up to 15 MB. Shorten or resize it.",
    )
    assert validate_post(network="x", text="Lyon", media=[_mp4(seconds=140)]) == []
    assert validate_post(network="x", text="Lyon", media=[_mp4(seconds=141.5)]) == [
        Problem(
            code="video_too_long",
            field="media",
            message="Media 1 lasts 2 min 21.5 s; X accepts videos up to 2 min 20 s. Cut 1.5 s.",
        )
    ]
    assert validate_post(network="x", text="Lyon", media=[_mp4(seconds=140.3)])[0].message == (
        "Media 1 lasts 2 min 20.3 s; X accepts videos up to 2 min 20 s. Cut 0.3 s."
    )
    assert validate_post(network="x", text="Lyon", media=[_mp4(seconds=0.4)])[0].message == (
        "Media 1 lasts 0.4 s; X needs videos of at least 0.5 s."
    )
    assert validate_post(network="x", text="Lyon", media=[_mp4(size=600_000_000)])[0].message == (
        "Media 1 weighs 600 MB; X accepts videos up to 512 MB. Compress or shorten it."
    )
    assert validate_post(network="linkedin", text="Lyon", media=[_mp4(seconds=3600)])[0].message == (
        "Media 1 lasts 1 h; LinkedIn accepts videos up to 30 min. Cut 30 min."
    )
    audio = MediaInfo(kind="audio", mime_type="audio/mpeg", size_bytes=1000)
    assert validate_post(network="mastodon", text="Lyon", media=[audio]) == [
        Problem(
            code="media_kind",
            field="media",
            message="Media 1 is of kind “audio”; Mastodon takes images and videos only.",
        )
    ]
    unknown = _mp4(seconds=None)
    assert validate_post(network="x", text="Lyon", media=[unknown]) == []  # an unknown duration is not checked
    jpg_alias = MediaInfo(kind="image", mime_type="Image/JPG; charset=binary", size_bytes=10)
    assert validate_post(network="instagram", text="Lyon", media=[jpg_alias]) == []


# -- link, first comment, empty posts --------------------------------------------------------------------------


def test_the_link_counts_in_the_text_where_the_network_shows_it_there():
    link = "https://vireo.example/fr/portes-ouvertes"
    assert text_with_link("x", "Venez", link, has_media=False) == f"Venez\n\n{link}"
    assert text_with_link("x", f"Venez {link}", link, has_media=False) == f"Venez {link}"
    assert text_with_link("bluesky", "Venez", link, has_media=False) == "Venez"  # link card
    assert text_with_link("bluesky", "Venez", link, has_media=True) == f"Venez\n\n{link}"  # no card beside media
    assert validate_post(network="x", text="a" * 255, link=link) == []  # 255 + 2 + 23 = 280
    assert validate_post(network="x", text="a" * 256, link=link) == [
        Problem(
            code="text_too_long",
            field="text",
            message=(
                "X allows 280 characters as it counts them (a link counts 23, an emoji or a CJK character 2); "
                "this text counts 281. Shorten it by 1. This includes the link, which X shows in the text."
            ),
        )
    ]
    assert validate_post(network="bluesky", text="a" * 300, link=link) == []
    assert _codes(validate_post(network="bluesky", text="a" * 300, link=link, media=[_jpeg()])) == ["text_too_long"]
    assert validate_post(network="bluesky", text="", link=link) == []  # a link card alone
    assert validate_post(network="linkedin", text="Lyon", link="vireo.example") == [
        Problem(
            code="link_invalid",
            field="link",
            message="Write the link as a full address starting with https:// or http://.",
        )
    ]


def test_first_comment_is_checked_like_a_reply():
    assert validate_post(network="bluesky", text="Lyon", first_comment="a" * 300) == []
    assert validate_post(network="bluesky", text="Lyon", first_comment="a" * 301) == [
        Problem(
            code="text_too_long",
            field="first_comment",
            message="Bluesky allows 300 characters (graphemes); the first comment has 301. Shorten it by 1.",
        )
    ]
    tags = " ".join(f"#t{i}" for i in range(31))
    assert validate_post(network="instagram", text="Lyon", media=[_jpeg()], first_comment=tags) == [
        Problem(
            code="too_many_hashtags",
            field="first_comment",
            message="Instagram allows 30 hashtags; the first comment has 31. Remove 1.",
        )
    ]


def test_a_post_needs_text_or_media():
    assert validate_post(network="x", text="  ") == [
        Problem(code="text_required", field="text", message="A post on X needs text or media.")
    ]
    assert _codes(validate_post(network="tiktok", text="")) == ["media_required"]


# -- the declared limits ---------------------------------------------------------------------------------------


def test_every_network_declares_its_limits_with_a_source():
    assert NETWORKS == (
        "mastodon",
        "bluesky",
        "x",
        "linkedin",
        "facebook",
        "instagram",
        "threads",
        "youtube",
        "tiktok",
        "pinterest",
    )
    for network, limits in LIMITS.items():
        assert limits.network == network
        assert limits.source.startswith("network-apis.md §")
        assert limits.text_unit in ("graphemes", "weighted", "chars", "utf16", "bytes", "emoji_bytes")
        assert limits.link_mode in ("text", "card", "none")
    table = {
        n: (lim.text_max, lim.text_unit, lim.max_images, lim.max_videos, lim.image_max_bytes, lim.video_max_bytes)
        for n, lim in LIMITS.items()
    }
    assert table == {
        "mastodon": (500, "graphemes", 4, 1, 16_777_216, 103_809_024),
        "bluesky": (300, "graphemes", 4, 1, 2_000_000, 300_000_000),
        "x": (280, "weighted", 4, 1, 5_000_000, 512_000_000),
        "linkedin": (3000, "chars", 20, 1, 5_000_000, 500_000_000),
        "facebook": (63_206, "chars", 10, 1, 4_000_000, 1_000_000_000),
        "instagram": (2200, "chars", 10, 10, 8_000_000, 300_000_000),
        "threads": (500, "emoji_bytes", 20, 20, 8_000_000, 1_000_000_000),
        "youtube": (5000, "bytes", 0, 1, 0, 256_000_000_000),
        "tiktok": (2200, "utf16", 35, 1, 20_000_000, 4_000_000_000),
        "pinterest": (500, "chars", 1, 0, 10_000_000, 0),
    }
    assert LIMITS["bluesky"].text_max_bytes == 3000
    assert LIMITS["instagram"].image_aspect_ratio == (Fraction(4, 5), Fraction(191, 100))
    assert (LIMITS["instagram"].max_hashtags, LIMITS["instagram"].max_mentions) == (30, 20)
    assert LIMITS["threads"].max_links == 5
    assert LIMITS["youtube"].title_max == 100
    assert [n for n, lim in LIMITS.items() if lim.requires_media] == ["instagram", "youtube", "tiktok", "pinterest"]
    assert [n for n, lim in LIMITS.items() if not lim.first_comment] == ["tiktok", "pinterest"]
    with pytest.raises(ValueError, match="Unknown network 'myspace'"):
        limits_for("myspace")


def test_measure_gives_each_network_its_own_count():
    text = "Caf\u00e9 \U0001f600 https://vireo.example/very/long/path/to/a/page #lyon @vireo@mastodon.social"
    assert len(text) == 5 + 1 + 1 + 46 + 7 + 22 == 82
    assert {n: measure(n, text) for n in NETWORKS} == {
        "mastodon": 5 + 1 + 1 + 23 + 7 + 6,  # URL 23, @vireo@mastodon.social → @vireo
        "bluesky": 82,
        "x": 5 + 2 + 1 + 23 + 7 + 22,
        "linkedin": 82,
        "facebook": 82,
        "instagram": 82,
        "threads": 82 - 1 + 4,  # 😀 counts its 4 bytes
        "youtube": 82 + 1 + 3,  # é 2 bytes, 😀 4 bytes
        "tiktok": 83,  # 😀 is 2 UTF-16 units
        "pinterest": 82,
    }
    assert url_spans(text) == [(7, 53)]


@given(st.text(max_size=400))
def test_counters_hold_their_bounds_on_any_text(text):
    assert grapheme_length(text) <= len(text) <= utf16_length(text) <= utf8_length(text)
    assert x_weighted_length(text) == x_weighted_length(unicodedata.normalize("NFC", text))
    assert threads_length(text) >= grapheme_length(text)
    if "@" not in text and "http" not in text.lower():
        assert mastodon_length(text) == grapheme_length(text)
    for network in NETWORKS:
        assert all(isinstance(p, Problem) for p in validate_post(network=network, text=text))
