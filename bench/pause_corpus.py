"""The pause corpus of ``bench.cutoffs``: answers with a thinking pause inside, and answers that are finished.

Unfinished answers come in four classes, by where the pause falls: after a
conjunction, after a filler, in the middle of a clause, and at a full stop
with more to come. Each is a first part and a rest; the bench puts a silence
of each pause length between them. Complete answers carry the id of the
question they answer, so each can be asked as a first answer to its own
question (the phase where the interviewer expects the most words, and so the
slowest for a hands-free reply).
"""

from __future__ import annotations

# Unfinished answers, by what the first part ends on; each is (first part, rest) with a pause between.
AFTER_CONJUNCTION = (
    ("For a shared platform I would first talk to the teams that depend on it, and",
     "then I would measure how long a new team needs to ship something real."),
    ("If the change breaks the API, I would tell every consumer early, because",
     "they need time to plan the migration around their own releases."),
    ("I would keep the old version running for a while, but",
     "only until the traffic on it drops close to zero."),
    ("The north star should count successful calls from real customers, so",
     "that it moves when they get value and not when someone opens a dashboard."),
    ("Before anything else I would look at who still calls the old endpoint, and",
     "I would write to those teams by name instead of sending one big announcement."),
    ("A header keeps the address clean, but",
     "most people forget to send it when they copy an example."),
    ("I would give the team that asked a clear answer this week, or",
     "at least a date by which they will get one."),
    ("The cache makes the page fast for most people, although",
     "the first visitor after a change still waits for the slow path."),
    ("For the feed I would start from what people come back for, because",
     "a click today says little about whether they return next month."),
    ("I would want the agent tool to have a narrow job, since",
     "a model calling it cannot ask a person what a vague field means."),
)
AFTER_FILLER = (
    ("I think the most important number is, um",
     "how much of their eligible work the teams have moved onto the platform."),
    ("For the one team that asks for the feature I would, uh",
     "first check whether other teams have the same need."),
    ("The way I would explain caching is, um",
     "like keeping the milk you use every day on the kitchen counter."),
    ("When the maps app picks a route it looks at, uh",
     "how long each road takes right now, not just how far it is."),
    ("The first thing I would check is, er",
     "whether the breaking change can be avoided with a new field instead."),
    ("Honestly my background is, um, you know",
     "mostly data analysis, and that shaped how I talk to engineers."),
    ("For the north star I would go with, hmm",
     "the number of customer apps that make successful calls every week."),
    ("When you type an address the browser first, uh",
     "asks a directory where that name lives on the network."),
    ("The way I would decide between the three is, um, well",
     "by asking who is going to call it, a person, a program or a model."),
    ("My worry with personalising it is, uh",
     "that we may not have enough history for new users to learn from."),
)
MID_CLAUSE = (
    ("I would measure the time it takes a new team",
     "to ship its first feature on the platform."),
    ("The version goes in the address because people copy links",
     "straight from the documentation into their code."),
    ("The feed ranks the posts it predicts you will",
     "actually enjoy and not just click on."),
    ("A reminder goes out two days before the appointment",
     "and again on the morning itself, in the way the patient chose."),
    ("Before we switch the old behaviour off we would",
     "wait until the last big customer has moved across."),
    ("The directory that turns a name into an address",
     "is asked first, and the answer is kept for a while."),
    ("What I would really like the platform team to",
     "measure is how many hours the other teams no longer spend on plumbing."),
    ("For the one team with the special request the",
     "best answer may be an extension point they own themselves."),
    ("The route that looks shortest on the map is",
     "often slower at five in the evening than the longer one."),
    ("A good explanation of an API for my aunt would",
     "start with a restaurant menu and a waiter."),
)
BETWEEN_SENTENCES = (
    ("Uptime matters, but it only says the platform is running.",
     "What I really want to know is whether teams ship faster because of it."),
    ("I would keep the old version alive for a while.",
     "Then I would switch it off once the usage drops close to zero."),
    ("I would start from the teams that build on the platform and ask what job it does for them. They come to "
     "us because they want to ship their own features faster, and not because they love infrastructure.",
     "So my first number would be how long a new team takes to get something real into production."),
    ("For a public API I would put the version in the URL, because people copy examples from the docs and a "
     "version they can see is one they cannot forget to send.",
     "Headers are fine for finer changes, and I would say when each one wins."),
    ("A security fix sometimes cannot wait for a grace period.",
     "Then I would call the biggest customers myself and ship a patched client the same day."),
    ("The team that asked is not wrong to want it.",
     "But I would check whether two or three other teams need something close before building anything."),
    ("Daily active users is the number everyone reaches for.",
     "For an API it mostly counts people logging in to debug, which is the opposite of success."),
    ("The ranking model predicts what each person will engage with.",
     "The harder part is choosing an objective that does not reward outrage."),
    ("I would keep the first version of the feature deliberately small.",
     "Once we see that people use it, we can spend on the clever parts."),
    ("Caching is a copy kept close by.",
     "The tricky part is knowing when that copy has gone stale and must be thrown away."),
)
CLASSES = (("conjunction", AFTER_CONJUNCTION), ("filler", AFTER_FILLER), ("mid-clause", MID_CLAUSE),
           ("sentence", BETWEEN_SENTENCES))
# Said after a complete answer to end the turn out loud (one of the lexicon's turn closers).
CLOSER = "That's my answer."
# Complete answers, spoken without a pause, each with the question it answers: the interviewer should reply,
# and the sooner the better.
COMPLETE = (
    ("platform-success-metrics",
     "I would track how long a new team needs to ship something real on the platform, because that is the "
     "job it exists to do for them."),
    ("api-breaking-change",
     "I would give customers a firm date, a migration guide and a working example, and keep the old version "
     "running until its traffic is close to zero."),
    ("api-versioning-choice",
     "I would put the version in the URL, since people copy links from the docs and cannot forget a version "
     "they can see."),
    ("explain-api",
     "An API is like a waiter in a restaurant: you ask for what you want, and the kitchen sends it back "
     "without you ever going in there."),
    ("explain-caching",
     "Caching is keeping a copy of something you use often close at hand, so you do not have to fetch it "
     "from far away every time."),
    ("api-north-star",
     "The one number I would keep is how many customer apps make successful calls each week, since that "
     "moves only when their software actually works because of us."),
    ("internal-one-off-request",
     "I would tell the requesting team no for the core platform, and offer them a plug-in point so they "
     "can build the special case themselves without slowing everyone else."),
    ("api-breaking-change",
     "For a security fix with no grace period I would patch the old version where I can, call the largest "
     "callers directly, and publish exactly what changes and why."),
    ("agent-consumer-interface",
     "I would expose it as a plain endpoint first, add it to the SDK once people use it, and make a tool for "
     "agents only when we know the inputs are narrow enough for a model to fill in."),
    ("url-enter",
     "Typing an address makes the browser look up where the site lives, open a secure connection, ask for "
     "the page and then draw it piece by piece as the parts arrive."),
    ("feed-ranking",
     "I would rank the feed by what people are likely to value a week later, not just by what they tap on "
     "in the next minute."),
    ("maps-routing",
     "A maps app finds the quickest route by treating roads as a network, and it weights each road by how "
     "long it takes right now, using speeds from phones that are driving on it."),
    ("technical-background",
     "My technical background helped most when I spotted that a feature depended on data we did not store "
     "yet, so we moved it after the data work and saved a month of rework."),
    ("personalization-feasibility",
     "Before promising personalisation I would check that we have enough history per user, start with a "
     "simple rule everyone gets, and measure whether the smarter version really beats it."),
    ("design-lite",
     "For the appointment reminder I would keep the first version to one message two days ahead, in the "
     "channel the patient picked, and see whether no-shows drop."),
    ("platform-success-metrics",
     "I would measure the platform by how quickly a new team ships on it and how many hours it saves the "
     "teams already there, with uptime as a floor rather than the goal."),
    ("api-breaking-change",
     "I would run the old and the new versions side by side, watch who still calls the old one, and switch "
     "it off only when that traffic has all but gone."),
    ("explain-api",
     "Put simply, an API is a set of requests one program can make of another, with promised answers, so "
     "neither side needs to know how the other works inside."),
    ("api-versioning-choice",
     "I would pick the header only for a small group of expert customers; for everyone else the version in "
     "the address is easier to see, copy and support."),
    ("explain-caching",
     "Caching means we answer from a nearby copy instead of going back to the source, which is why the second "
     "visit to a page feels so much quicker than the first."),
)
