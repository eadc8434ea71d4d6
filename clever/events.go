package clever

import (
	"context"
	"net/url"

	"github.com/go-json-experiment/json/jsontext"
)

// Event is one entry of the Events API: a record created, updated or
// deleted (or shared and unshared). Order events by ID, not by Created:
// many share the same second.
type Event struct {
	ID string `json:"id"`
	// Type is "<collection>.<created|updated|deleted>", such as
	// "users.updated". Unknown types must be tolerated.
	Type string `json:"type"`
	// Created is an RFC 3339 timestamp, as sent.
	Created string    `json:"created"`
	Data    EventData `json:"data"`
}

// EventData is an event's payload.
type EventData struct {
	// Object is the whole record after the change (as it was, for a
	// delete), raw; its own copy, safe to keep.
	Object jsontext.Value `json:"object"`
	// PreviousAttributes holds, for an update, only the changed leaves,
	// nested as in the record (for users under roles.<role>).
	PreviousAttributes map[string]any `json:"previous_attributes"`
}

// ListEvents calls fn with each page of events after the event
// startingAfter (from the oldest retained when ""), in ID order. fn must
// not keep the slice, which is reused for the next page; the events'
// Object and PreviousAttributes may be kept.
func (c *Client) ListEvents(ctx context.Context, startingAfter string, fn func([]Event) error) error {
	q := url.Values{}
	if startingAfter != "" {
		q.Set("starting_after", startingAfter)
	}
	return listPages(ctx, c, c.api(), c.collectionURL("events", q), false, nil, fn)
}

// Event returns the event id: Clever keeps events for 30 days, and an
// event no longer kept is a 404 (IsNotFound).
func (c *Client) Event(ctx context.Context, id string) (Event, error) {
	u := *c.base
	u.Path = c.base.Path + "/events/" + id
	u.RawPath = c.base.EscapedPath() + "/events/" + url.PathEscape(id)
	req, err := c.newRequest(ctx, &u)
	if err != nil {
		return Event{}, err
	}
	var body struct {
		Data Event `json:"data"`
	}
	if err := c.do(c.http, req, nil, &body); err != nil {
		return Event{}, err
	}
	return body.Data, nil
}
