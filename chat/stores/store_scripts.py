"""The chat store's Lua scripts. Each keeps one invariant atomic across processes; the
store (chat/stores/store.py) registers and runs them."""

from __future__ import annotations

from string import Template
from typing import Final

from chat.domain.protocol import ChatState

# The chat's states as Lua string literals, from the one enum: a script names a state as
# ``${WAITING}``, never as a literal, and a name that is not a ChatState fails at import.
STATE_LITERALS: Final = {state.name: f"'{state.value}'" for state in ChatState}


def _states(script: str) -> str:
    """``script`` with each ``${STATE}`` replaced by that ChatState's value, quoted."""
    return Template(script).substitute(STATE_LITERALS)


APPEND: Final = _states("""
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return {tonumber(existing), 0} end
local state = redis.call('HGET', KEYS[3], 'state')
if (not state) or state == ${ENDED} then return {-1, 0} end
local seq = redis.call('RPUSH', KEYS[1], ARGV[2])
if ARGV[1] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], seq) end
if ARGV[4] == '1' and state == ${WAITING} then redis.call('HINCRBY', KEYS[3], 'preview', 1) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
for i = 5, #ARGV do
  local payload = string.gsub(ARGV[i], '"__SEQ__"', tostring(seq), 1)
  redis.call('PUBLISH', KEYS[4], payload)
end
return {seq, 1}
""")

ENQUEUE: Final = _states("""
local state = redis.call('HGET', KEYS[2], 'state')
if state ~= ARGV[4] then return -2 end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return redis.call('ZRANK', KEYS[1], ARGV[1]) + 1
end
-- An urgent chat (chat/domain/urgency.py, ARGV[6] the shift) is never turned away for a full queue
-- and sorts before every other; a hand-back goes before the oldest of its own band.
local urgent = redis.call('HGET', KEYS[2], 'urgent') == '1'
local shift = tonumber(ARGV[6])
if ARGV[5] ~= '1' and not urgent and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return -1
end
local score = tonumber(ARGV[2])
if urgent then score = score - shift end
if ARGV[5] == '1' then
  local first
  if urgent then
    first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  else
    first = redis.call('ZRANGEBYSCORE', KEYS[1], -shift / 2, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  end
  if first[2] then score = math.min(score, tonumber(first[2]) - 1) end
elseif not urgent then
  -- First come, first served also within one millisecond (or across processes whose clocks
  -- differ by a few): an arrival never sorts before the newest one already queued.
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if last[2] and tonumber(last[2]) >= score then score = tonumber(last[2]) + 0.001 end
end
-- As text with its fraction: Lua would write the number with 14 digits and lose it.
redis.call('ZADD', KEYS[1], string.format('%.3f', score), ARGV[1])
redis.call('HSET', KEYS[2], 'state', ${WAITING}, 'queued_ms', ARGV[2], 'counsellor', '',
  'counsellor_name', '')
return redis.call('ZRANK', KEYS[1], ARGV[1]) + 1
""")

# 1: won; 0: gone (someone else was first); -1: the counsellor is at their limit (ARGV[8],
# '' for none: SCARD of the chats they hold, in the same step); -2: their accepts pause
# (KEYS[5] exists). Refused claims leave the chat queued.
CLAIM: Final = _states("""
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
if redis.call('EXISTS', KEYS[5]) == 1 then return -2 end
if ARGV[8] ~= '' and redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[8]) then return -1 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'state', ${ACTIVE}, 'counsellor', ARGV[2], 'counsellor_name', ARGV[3],
  'accepted_ms', ARGV[4])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[5])
redis.call('LPUSH', KEYS[4], ARGV[4])
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[6]) - 1)
redis.call('EXPIRE', KEYS[4], ARGV[7])
return 1
""")

# A chat leaves a counsellor's hands (end or hand-back): how long it was held goes into the
# channel's bounded, TTL'd list of handling times (a number of seconds, nothing else), which
# the estimated wait reads. The chat is KEYS[1]; each script says where the list's key and
# the time (ms), the number kept and the TTL are among its keys and arguments.
_NOTE_HANDLING = """
local function note_handling()
  local accepted = tonumber(redis.call('HGET', KEYS[1], 'accepted_ms') or '')
  if accepted == nil or KEYS[{handled}] == nil then return end
  local held = math.max(0, math.floor((tonumber(ARGV[{now}]) - accepted) / 1000))
  redis.call('LPUSH', KEYS[{handled}], held)
  redis.call('LTRIM', KEYS[{handled}], 0, tonumber(ARGV[{kept}]) - 1)
  redis.call('EXPIRE', KEYS[{handled}], ARGV[{ttl}])
end
"""


def _with_handling(script: str, handled: int, now: int, kept: int, ttl: int) -> str:
    """``script`` with ``note_handling()`` defined for the given key and argument slots (and
    its states filled in)."""
    return _states(_NOTE_HANDLING.format(handled=handled, now=now, kept=kept, ttl=ttl) + script)


# A hand-back also keeps how long the chat had waited before this accept (``waited_ms``), so
# the queue shows the time really waited, not the seconds since the hand-back.
RELEASE: Final = _with_handling(
    """
if redis.call('HGET', KEYS[1], 'state') ~= ${ACTIVE} then return 0 end
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'counsellor') ~= ARGV[2] then return 0 end
local holder = redis.call('HGET', KEYS[1], 'counsellor')
redis.call('HSET', KEYS[1], 'state', ARGV[3])
redis.call('SREM', KEYS[2] .. holder .. ':chats', ARGV[1])
local queued = tonumber(redis.call('HGET', KEYS[1], 'queued_ms') or '')
local accepted = tonumber(redis.call('HGET', KEYS[1], 'accepted_ms') or '')
if queued ~= nil and accepted ~= nil and accepted >= queued then
  redis.call('HINCRBY', KEYS[1], 'waited_ms', accepted - queued)
end
note_handling()
return 1
""",
    handled=3,
    now=4,
    kept=5,
    ttl=6,
)

END: Final = _with_handling(
    """
local state = redis.call('HGET', KEYS[1], 'state')
if (not state) or state == ${ENDED} then return '' end
local holder = redis.call('HGET', KEYS[1], 'counsellor') or ''
if state == ${ACTIVE} then note_handling() end
redis.call('HSET', KEYS[1], 'state', ${ENDED}, 'ended_ms', ARGV[2], 'ended_by', ARGV[3])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
if holder ~= '' then redis.call('SREM', KEYS[7] .. holder .. ':chats', ARGV[1]) end
if tonumber(ARGV[4]) == 0 then
  redis.call('HDEL', KEYS[1], 'dek', 'sealed_rc')
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
else
  -- The transcript lives exactly the retention time; the chat's facts (no text) stay
  -- at least the return-code window.
  redis.call('EXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), tonumber(ARGV[5])))
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  redis.call('EXPIRE', KEYS[3], ARGV[4])
  redis.call('EXPIRE', KEYS[4], ARGV[4])
end
return state .. ':' .. holder
""",
    handled=8,
    now=2,
    kept=6,
    ttl=7,
)

# A warm transfer: only an active chat, only from its holder, in one step (a chat that ends
# meanwhile must not land in the colleague's list). -1: the colleague is at their limit
# (ARGV[6], '' for none), checked in the same step.
HAND_OVER: Final = _states("""
if redis.call('HGET', KEYS[1], 'state') ~= ${ACTIVE} then return 0 end
if redis.call('HGET', KEYS[1], 'counsellor') ~= ARGV[2] then return 0 end
if ARGV[6] ~= '' and redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[6]) then return -1 end
redis.call('HSET', KEYS[1], 'counsellor', ARGV[3], 'counsellor_name', ARGV[4])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[5])
return 1
""")
