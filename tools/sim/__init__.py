"""The world make demo simulates around the platform (tools/demo.py runs it):
platform.py starts the services and talks to them, organisation.py loads the
demo organisation, stockroom.py the parts and the suppliers, care.py the
customers' feedback and the complaint team, sales.py what contracts sells."""
