"""The company's fixed facts: what it sells, to whom, where, and what its products report.

Every source generator (app, Stripe, HubSpot, ads, Iterable) reads these, so a plan, a price, a
country's currency or a campaign name means the same thing in every source. Strings here go into
COPY text unescaped, so they never contain tabs, newlines or backslashes.
"""
from __future__ import annotations

# --- what it sells -----------------------------------------------------------------------------
PLANS = ("starter", "growth", "pro", "enterprise")                 # ordered: upgrades move right
PLAN_MONTHLY_PRICE_CENTS = {"starter": 2900, "growth": 5900, "pro": 9900, "enterprise": 14900}  # per seat, USD
BILLING_INTERVALS = ("month", "quarter", "year")
INTERVAL_MONTHS = {"month": 1, "quarter": 3, "year": 12}
INTERVAL_DISCOUNT = {"month": 0.0, "quarter": 0.05, "year": 0.15}
SUBSCRIPTION_STATUSES = ("trialing", "active", "past_due", "canceled")
IN_SERVICE = frozenset({"trialing", "active", "past_due"})          # statuses whose taps and apps work

# --- to whom -------------------------------------------------------------------------------------
INDUSTRIES = ("bar", "restaurant", "brewery", "hotel", "nightclub", "venue")
INDUSTRY_WEIGHTS = (40, 30, 12, 8, 5, 5)
VENUE_KINDS = {
    "bar": ("Bar", "Tavern", "Pub", "Taproom", "Saloon", "Lounge"),
    "restaurant": ("Kitchen", "Grill", "Bistro", "Eatery", "Brasserie", "Diner"),
    "brewery": ("Brewing Co", "Brewery", "Beer Works", "Ales"),
    "hotel": ("Hotel", "Inn", "Suites", "Lodge"),
    "nightclub": ("Club", "Social Club", "Nightclub"),
    "venue": ("Arena", "Hall", "Stadium", "Ballroom"),
}
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
COMPANY_SIZE_WEIGHTS = (45, 32, 14, 6, 3)
# Bigger companies buy bigger plans, more seats and run more locations.
PLAN_WEIGHTS_BY_SIZE = {
    "1-10": (60, 30, 9, 1), "11-50": (30, 45, 20, 5), "51-200": (10, 35, 40, 15),
    "201-1000": (3, 15, 42, 40), "1000+": (0, 5, 30, 65),
}
SEATS_BY_PLAN = {"starter": (1, 3), "growth": (3, 10), "pro": (8, 30), "enterprise": (25, 200)}
LOCATION_WEIGHT_BY_SIZE = {"1-10": 1, "11-50": 3, "51-200": 8, "201-1000": 20, "1000+": 40}
INTERVAL_WEIGHTS_BY_PLAN = {
    "starter": (80, 10, 10), "growth": (65, 12, 23), "pro": (50, 15, 35), "enterprise": (20, 10, 70),
}

# --- where ---------------------------------------------------------------------------------------
# country -> (weight, currency, ((timezone, cities), ...))
COUNTRIES = {
    "US": (55, "usd", (("America/New_York", ("New York", "Boston", "Philadelphia", "Atlanta", "Miami")),
                       ("America/Chicago", ("Chicago", "Austin", "Dallas", "Nashville", "Minneapolis")),
                       ("America/Denver", ("Denver", "Boulder", "Salt Lake City")),
                       ("America/Los_Angeles", ("Los Angeles", "San Francisco", "Seattle", "Portland", "San Diego")))),
    "CA": (8, "cad", (("America/Toronto", ("Toronto", "Montreal", "Ottawa")),
                      ("America/Vancouver", ("Vancouver", "Victoria")))),
    "GB": (12, "gbp", (("Europe/London", ("London", "Manchester", "Bristol", "Edinburgh", "Leeds")),)),
    "IE": (3, "eur", (("Europe/Dublin", ("Dublin", "Cork", "Galway")),)),
    "DE": (7, "eur", (("Europe/Berlin", ("Berlin", "Munich", "Hamburg", "Cologne")),)),
    "NL": (4, "eur", (("Europe/Amsterdam", ("Amsterdam", "Rotterdam", "Utrecht")),)),
    "ES": (4, "eur", (("Europe/Madrid", ("Madrid", "Barcelona", "Valencia")),)),
    "AU": (5, "aud", (("Australia/Sydney", ("Sydney", "Newcastle")),
                      ("Australia/Melbourne", ("Melbourne", "Geelong")))),
    "NZ": (2, "nzd", (("Pacific/Auckland", ("Auckland", "Wellington")),)),
}
# Standard-time UTC offsets in hours, for the daily activity curves (daylight saving is ignored).
TIMEZONE_OFFSETS = {
    "America/New_York": -5, "America/Chicago": -6, "America/Denver": -7, "America/Los_Angeles": -8,
    "America/Toronto": -5, "America/Vancouver": -8, "Europe/London": 0, "Europe/Dublin": 0,
    "Europe/Berlin": 1, "Europe/Amsterdam": 1, "Europe/Madrid": 1, "Australia/Sydney": 10,
    "Australia/Melbourne": 10, "Pacific/Auckland": 12,
}
TIMEZONES = tuple(TIMEZONE_OFFSETS)                                 # index order used by activity pools

# --- how customers found us (the ad and email sources report the same campaigns) ----------------
SIGNUP_CHANNELS = ("organic", "paid_search", "paid_social", "email", "referral", "outbound", "partner")
SIGNUP_CHANNEL_WEIGHTS = (28, 22, 18, 8, 10, 9, 5)
CAMPAIGNS = {
    "google": ("search_brand", "search_tap_monitoring", "search_beer_inventory", "pmax_hospitality"),
    "facebook": ("fb_bar_owners_lookalike", "fb_retarget_trial", "fb_pour_waste_video"),
    "instagram": ("ig_craft_beer_reels", "ig_retarget_trial"),
    "linkedin": ("li_hospitality_directors", "li_multi_location_abm", "li_brewery_ops"),
    "iterable": ("newsletter_monthly", "trial_nurture", "webinar_invite", "winback_offer"),
}
# channel -> ((utm_source, utm_medium, has_campaign, weight), ...); None means no UTM parameters.
UTM_BY_CHANNEL = {
    "organic": (("google", "organic", False, 80), ("bing", "organic", False, 20)),
    "paid_search": (("google", "cpc", True, 100),),
    "paid_social": (("facebook", "paid_social", True, 50), ("instagram", "paid_social", True, 20),
                    ("linkedin", "paid_social", True, 30)),
    "email": (("iterable", "email", True, 100),),
    "referral": (("untappd", "referral", False, 40), ("partner_directory", "referral", False, 60)),
    "outbound": None,
    "partner": None,
}

# --- names -----------------------------------------------------------------------------------------
FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen",
    "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Paul", "Emily",
    "Steven", "Michelle", "Andrew", "Amanda", "Joshua", "Melissa", "Kevin", "Laura", "Brian", "Sofia",
    "Liam", "Olivia", "Noah", "Emma", "Lukas", "Hannah", "Sean", "Aoife", "Pablo", "Lucia",
    "Jack", "Chloe", "Oliver", "Grace", "Finn", "Mia", "Hugo", "Isla", "Mateo", "Zoe",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Murphy", "Kelly", "OBrien", "Walsh",
    "Schmidt", "Schneider", "Fischer", "Weber", "de Vries", "Jansen", "Fernandez", "Sanchez", "Nguyen", "Chen",
    "Patel", "Singh", "Cohen", "Rossi", "Novak", "Berg", "Larsen", "Byrne", "Ryan", "Doyle",
)
NAME_ADJECTIVES = (
    "Golden", "Rusty", "Copper", "Silver", "Hoppy", "Salty", "Lucky", "Crooked", "Happy", "Wild",
    "Red", "Black", "Blue", "Green", "Old", "Little", "Royal", "Iron", "Velvet", "Smoky",
    "Foggy", "Jolly", "Brass", "Oak", "Stone", "Harbor", "Northern", "Southern", "Urban", "Rustic",
    "Misty", "Amber", "Hidden", "Laughing", "Drunken", "Humble", "Noble", "Thirsty", "Sunny", "Frosty",
)
NAME_NOUNS = (
    "Anchor", "Barrel", "Fox", "Stag", "Lantern", "Crown", "Hop", "Keg", "Goose", "Owl",
    "Bear", "Lion", "Oak", "Mill", "Dock", "Bridge", "Compass", "Kettle", "Tap", "Still",
    "Raven", "Wolf", "Horse", "Harp", "Rose", "Thistle", "Pelican", "Otter", "Moose", "Badger",
    "Gull", "Cask", "Pint", "Spoon", "Fork", "Hearth", "Tavern", "Whistle", "Anvil", "Feather",
)
USER_ROLES = ("owner", "admin", "manager", "staff")
USER_ROLE_WEIGHTS = (0, 15, 30, 55)                                   # for users beyond the owner

# --- what the taps report --------------------------------------------------------------------------
DEVICE_MODELS = {"TapSense One": ("3.9.5", "4.1.0", "4.2.1"), "TapSense Pro": ("5.0.2", "5.1.0"),
                 "FlowMeter X2": ("2.7.3", "2.8.0")}                 # model -> firmware, oldest first
DEVICE_MODEL_WEIGHTS = (55, 30, 15)
BEVERAGES = (
    "Pilsner", "Helles Lager", "Hazy IPA", "West Coast IPA", "Session IPA", "Double IPA", "Pale Ale",
    "Amber Ale", "Red Ale", "Brown Ale", "Porter", "Oatmeal Stout", "Irish Stout", "Hefeweizen",
    "Witbier", "Kolsch", "Saison", "Sour Ale", "Fruit Sour", "Dunkel", "Blonde Ale", "Dry Cider",
    "Pear Cider", "Light Lager", "Mexican Lager", "Barleywine", "Gose", "Cold Brew Coffee", "Kombucha",
    "Hard Seltzer",
)
POUR_SIZES_ML = (568, 473, 500, 400, 330, 284, 250, 150)             # pints, halves, glasses, tasters
POUR_SIZE_WEIGHTS = (20, 25, 12, 8, 10, 10, 7, 8)
# error code -> (severity, message, weight among random errors)
DEVICE_ERRORS = {
    "E101": ("warning", "Flow sensor reading unstable", 30),
    "E204": ("error", "Line pressure low", 15),
    "E301": ("critical", "Beer temperature above safe range", 8),
    "E410": ("info", "Keg empty detected", 35),
    "E502": ("error", "Connectivity lost", 0),                        # raised when a device goes offline
    "E611": ("warning", "Line cleaning overdue", 12),
}
CONNECTIVITY_LOST = "E502"

# --- what the app reports --------------------------------------------------------------------------
PLATFORMS = ("web", "ios", "android")
PLATFORM_WEIGHTS_BY_ROLE = {"owner": (70, 20, 10), "admin": (75, 15, 10), "manager": (45, 35, 20),
                            "staff": (15, 50, 35)}
APP_VERSIONS = {"web": ("2024.12.3", "2025.1.0"), "ios": ("6.3.1", "6.4.0", "6.4.2"),
                "android": ("6.3.0", "6.4.1")}
APP_PATHS = (
    "/dashboard", "/locations", "/taps", "/taps/live", "/reports/pours", "/reports/inventory",
    "/reports/waste", "/alerts", "/devices", "/settings/users", "/settings/billing",
    "/settings/integrations", "/help",
)
APP_PATH_WEIGHTS = (30, 10, 14, 12, 10, 8, 4, 6, 5, 2, 1, 1, 1)
FEATURE_ACTIONS = ("view", "create", "update", "export", "share")
FEATURE_ACTION_WEIGHTS = (55, 15, 15, 10, 5)
# key, name, category, popularity. The first GENESIS_FEATURES exist before any history; the rest
# launch one by one while the clock runs. LEGACY_FEATURE is deprecated and soft-deleted at genesis.
FEATURES = (
    ("pour_analytics", "Pour Analytics", "analytics", 30),
    ("live_taps", "Live Tap Monitor", "operations", 25),
    ("keg_alerts", "Keg Level Alerts", "operations", 20),
    ("temperature_monitoring", "Temperature Monitoring", "operations", 12),
    ("inventory_tracking", "Inventory Tracking", "inventory", 18),
    ("waste_reports", "Waste Reports", "analytics", 10),
    ("staff_leaderboard", "Staff Leaderboard", "engagement", 6),
    ("pos_integration", "POS Integration", "integrations", 8),
    ("menu_sync", "Menu Sync", "integrations", 5),
    ("custom_reports", "Custom Reports", "analytics", 7),
    ("multi_location_dashboard", "Multi-location Dashboard", "analytics", 9),
    ("scheduled_exports", "Scheduled Exports", "analytics", 4),
    ("line_cleaning_log", "Line Cleaning Log", "operations", 5),
    ("legacy_reports", "Legacy Reports", "analytics", 2),
    ("api_access", "API Access", "integrations", 3),
    ("demand_forecasting", "Demand Forecasting", "analytics", 8),
    ("supplier_ordering", "Supplier Ordering", "inventory", 6),
    ("peer_benchmarks", "Peer Benchmarks", "analytics", 5),
    ("loyalty_integration", "Loyalty Integration", "integrations", 4),
)
FEATURE_CATEGORIES = ("analytics", "operations", "inventory", "engagement", "integrations")
GENESIS_FEATURES = 15
LEGACY_FEATURE = "legacy_reports"
FEATURE_STATUSES = ("beta", "ga", "deprecated")
