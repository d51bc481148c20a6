from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('journeys', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Journey',
            name='paused_at',
            field=fields.DatetimeField(null=True, description='When and by whom the journey was paused, kept after it resumes until the next pause.', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Journey',
            name='paused_by',
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AddField(
            model_name='JourneyVersion',
            name='author',
            field=fields.CharField(null=True, description='Who made the version: a console user\'s email, or a note such as "command line".', max_length=254),
        ),
        ops.AddField(
            model_name='JourneyVersion',
            name='note',
            field=fields.CharField(null=True, description='Why, in the author\'s words, or what the console did ("rolled back to version 2").', max_length=500),
        ),
    ]
