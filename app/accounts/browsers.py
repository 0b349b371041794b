"""In-app browsers: the web views of social apps, where most visitors open the widget's links.

Detected from the User-Agent, the only signal there is: Facebook (FBAN, FBAV, FB_IAB),
Instagram, LinkedIn (LinkedInApp), TikTok (musical_ly, BytedanceWebview), and any Android
WebView ("; wv)"). There, pages put the plain form first, leave out the sign-in buttons of
providers that refuse embedded web views (Google answers `disallowed_useragent`), and offer
"Ouvrir dans mon navigateur".

Honestly: no web API makes an in-app browser hand a page to the system browser. The link
has target="_blank", which some apps honour; the page also says where the app's own "open in
browser" menu is, and shows the address to copy. A wrong guess costs little: the plain form
works everywhere, and every provider's button is still reachable from the system browser.
"""
import re

IN_APP_MARKERS = re.compile(r"FBAN|FBAV|FB_IAB|Instagram|LinkedInApp|musical_ly|BytedanceWebview|; wv\)")


def is_in_app_browser(user_agent: str | None) -> bool:
    return bool(user_agent) and IN_APP_MARKERS.search(user_agent) is not None
