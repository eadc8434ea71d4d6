package preflight

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/rosterd/rosterd/roster"
)

// The actions a guard limits.
const (
	ActionAdd    = "add"
	ActionUpdate = "update"
	ActionDelete = "delete"
)

// Guard limits one action on one entity: a change that adds, updates or
// deletes more than MaxCount records, or more than MaxPercent percent of
// the committed ones, trips it and is held for an operator's approval.
// Percentages apply only once something is committed, so a first sync is
// never held for adding everything.
type Guard struct {
	// Entity is the entity guarded; "" guards every entity, each on its
	// own.
	Entity     roster.Entity
	Action     string
	MaxCount   int     // 0: no limit by count
	MaxPercent float64 // 0: no limit by share
}

// ErrBadGuard is wrapped by Options.Validate for a guard it cannot apply.
var ErrBadGuard = errors.New("bad guard")

// DefaultGuards are the guards of a deployment whose config names none:
// deleting more than a tenth of the students or sections, and any change
// that deletes (all but nothing of) an entity, is held. These are the
// failures that wipe rosters in this field: a bad file, a summer rollover.
func DefaultGuards() []Guard {
	return []Guard{
		{Entity: roster.EntityStudent, Action: ActionDelete, MaxPercent: 10},
		{Entity: roster.EntitySection, Action: ActionDelete, MaxPercent: 10},
		{Action: ActionDelete, MaxPercent: 99.99},
	}
}

func (g Guard) validate() error {
	if g.Entity != "" {
		if _, ok := roster.ParseEntity(string(g.Entity)); !ok {
			return fmt.Errorf("%w: unknown entity %q", ErrBadGuard, g.Entity)
		}
	}
	if !slices.Contains([]string{ActionAdd, ActionUpdate, ActionDelete}, g.Action) {
		return fmt.Errorf("%w: action %q is not add, update or delete", ErrBadGuard, g.Action)
	}
	if g.MaxCount < 0 || g.MaxPercent < 0 || g.MaxPercent > 100 {
		return fmt.Errorf("%w: max_count must be 0 or more and max_percent 0 to 100", ErrBadGuard)
	}
	if g.MaxCount == 0 && g.MaxPercent == 0 {
		return fmt.Errorf("%w: set max_count or max_percent", ErrBadGuard)
	}
	return nil
}

// guards returns the guards in force.
func (o Options) guards() []Guard {
	if o.Guards == nil {
		return DefaultGuards()
	}
	return o.Guards
}

// CheckGuards returns the guards the counts trip, one trip per guard and
// entity, in the order of roster.Entities.
func CheckGuards(guards []Guard, counts map[roster.Entity]*Counts) []GuardTrip {
	trips := []GuardTrip{}
	for _, e := range roster.Entities {
		c := counts[e]
		if c == nil {
			continue
		}
		committed := c.Kept - c.Added + c.Deleted
		for _, g := range guards {
			if g.Entity != "" && g.Entity != e {
				continue
			}
			n := map[string]int{ActionAdd: c.Added, ActionUpdate: c.Updated, ActionDelete: c.Deleted}[g.Action]
			if n == 0 {
				continue
			}
			pct := 0.0
			if committed > 0 {
				pct = 100 * float64(n) / float64(committed)
			}
			var limit string
			switch {
			case g.MaxCount > 0 && n > g.MaxCount:
				limit = fmt.Sprintf("more than %d %s records", g.MaxCount, e)
			case g.MaxPercent > 0 && committed > 0 && pct > g.MaxPercent:
				limit = fmt.Sprintf("more than %s%% of the %d committed %s records", strconv.FormatFloat(g.MaxPercent, 'f', -1, 64), committed, e)
			default:
				continue
			}
			trips = append(trips, GuardTrip{Entity: e, Action: g.Action, Count: n, Committed: committed, Percent: pct, Limit: limit})
			break // one trip per entity and action is enough to hold
		}
	}
	return trips
}
