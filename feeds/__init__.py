"""What the store becomes: ICS calendars and the newsletter tables."""
