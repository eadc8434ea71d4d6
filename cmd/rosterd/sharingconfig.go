package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/rosterd/rosterd/preflight"
	"github.com/rosterd/rosterd/roster"
	"github.com/rosterd/rosterd/sharing"
	"go.yaml.in/yaml/v3"
)

// SharingConfig is the YAML form of sharing.Config: a connection's
// sharing rules.
type SharingConfig struct {
	Schools  FilterConfig `yaml:"schools"`
	Sections FilterConfig `yaml:"sections"`
	Students FilterConfig `yaml:"students"`
	Teachers FilterConfig `yaml:"teachers"`

	DropEmptySections      *bool `yaml:"drop_empty_sections"`
	DropUnassignedStudents *bool `yaml:"drop_unassigned_students"`
	DropUnassignedTeachers *bool `yaml:"drop_unassigned_teachers"`

	OneSectionPerStudent *OneSectionConfig `yaml:"one_section_per_student"`

	Fields map[string][]string `yaml:"fields"`
}

// FilterConfig is an include and an exclude list of matchers.
type FilterConfig struct {
	Include []MatcherConfig `yaml:"include"`
	Exclude []MatcherConfig `yaml:"exclude"`
}

// MatcherConfig maps a field to one pattern or a list of them. Its keys
// are checked when the rules compile, so a typo names the rule.
type MatcherConfig map[string]patternList

// OneSectionConfig narrows each student to one section.
type OneSectionConfig struct {
	Required       bool               `yaml:"required"`
	RequireSection bool               `yaml:"require_section"`
	Prefer         []PreferenceConfig `yaml:"prefer"`
}

// PreferenceConfig is a tie-breaker: section fields to prefer, or
// lowest_period: true.
type PreferenceConfig struct {
	Matcher      MatcherConfig
	LowestPeriod bool
}

// UnmarshalYAML reads a tie-breaker: lowest_period, or a section matcher.
func (p *PreferenceConfig) UnmarshalYAML(n *yaml.Node) error {
	var m MatcherConfig
	if err := n.Decode(&m); err != nil {
		return err
	}
	if v, ok := m["lowest_period"]; ok {
		if len(v) != 1 {
			return fmt.Errorf("line %d: lowest_period takes true or false", n.Line)
		}
		b, err := strconv.ParseBool(v[0])
		if err != nil {
			return fmt.Errorf("line %d: lowest_period: %q is not true or false", n.Line, v[0])
		}
		p.LowestPeriod = b
		delete(m, "lowest_period")
	}
	p.Matcher = m
	return nil
}

// patternList is one scalar or a list of scalars. Numbers and booleans
// are read as written ("9", "true"), since roster fields are text.
type patternList []string

// UnmarshalYAML accepts a scalar or a sequence of scalars.
func (l *patternList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = patternList{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(patternList, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a pattern list holds only text values", c.Line)
			}
			out = append(out, c.Value)
		}
		*l = out
		return nil
	}
	return fmt.Errorf("line %d: want a value or a list of values", n.Line)
}

// rules compiles the YAML form into sharing rules for a connection in
// time zone loc, and checks them against the preflight's required fields:
// a required field the rules drop would refuse every run.
func (s *SharingConfig) rules(loc *time.Location, opts preflight.Options) (*sharing.Rules, error) {
	if s == nil {
		return nil, nil
	}
	cfg := sharing.Config{
		Schools:                filter(s.Schools),
		Sections:               filter(s.Sections),
		Students:               filter(s.Students),
		Teachers:               filter(s.Teachers),
		KeepEmptySections:      s.DropEmptySections != nil && !*s.DropEmptySections,
		KeepUnassignedStudents: s.DropUnassignedStudents != nil && !*s.DropUnassignedStudents,
		KeepUnassignedTeachers: s.DropUnassignedTeachers != nil && !*s.DropUnassignedTeachers,
		Location:               loc,
	}
	if o := s.OneSectionPerStudent; o != nil {
		cfg.OneSectionPerStudent = &sharing.OneSection{Required: o.Required, RequireSection: o.RequireSection}
		for _, p := range o.Prefer {
			cfg.OneSectionPerStudent.Prefer = append(cfg.OneSectionPerStudent.Prefer, sharing.Preference{Matcher: matcher(p.Matcher), LowestPeriod: p.LowestPeriod})
		}
	}
	if s.Fields != nil {
		cfg.Fields = map[roster.Entity][]string{}
		for e, paths := range s.Fields {
			cfg.Fields[roster.Entity(e)] = paths
		}
	}
	rules, err := sharing.Compile(cfg)
	if err != nil {
		return nil, err
	}
	if err := checkRequiredKept(cfg.Fields, opts); err != nil {
		return nil, err
	}
	return rules, nil
}

// checkRequiredKept refuses a field list that drops a field preflight
// requires.
func checkRequiredKept(fields map[roster.Entity][]string, opts preflight.Options) error {
	required := opts.Required
	if required == nil {
		required = preflight.DefaultRequired()
	}
	for _, e := range roster.UserEntities {
		kept, listed := fields[e]
		if !listed {
			continue
		}
		for _, f := range required[e] {
			if f != "id" && !slices.Contains(kept, f) {
				return &sharing.Error{Rule: "fields." + string(e), Err: fmt.Errorf("drops %s, which preflight requires of every %s; keep it, or remove it from preflight.required_fields.%s", f, e, e)}
			}
		}
	}
	return nil
}

func filter(f FilterConfig) sharing.Filter {
	var out sharing.Filter
	for _, m := range f.Include {
		out.Include = append(out.Include, matcher(m))
	}
	for _, m := range f.Exclude {
		out.Exclude = append(out.Exclude, matcher(m))
	}
	return out
}

func matcher(m MatcherConfig) sharing.Matcher {
	out := make(sharing.Matcher, len(m))
	for k, v := range m {
		out[k] = []string(v)
	}
	return out
}

// sharingError turns a rules error into a config error naming the key.
func sharingError(key string, err error) error {
	var se *sharing.Error
	if errors.As(err, &se) {
		return &ConfigError{key + ".sharing." + se.Rule, se.Err}
	}
	return &ConfigError{key + ".sharing", err}
}
