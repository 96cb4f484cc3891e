from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo


class LoginForm(FlaskForm):
    email = EmailField("E-postadress", validators=[DataRequired("Ange din e-postadress.")])
    password = PasswordField("Lösenord", validators=[DataRequired("Ange ditt lösenord.")])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Nuvarande lösenord",
                                     validators=[DataRequired("Ange det lösenord du loggade in med.")])
    new_password = PasswordField("Nytt lösenord", validators=[DataRequired("Ange ett nytt lösenord.")])
    confirm_password = PasswordField("Upprepa det nya lösenordet", validators=[
        DataRequired("Skriv det nya lösenordet en gång till."),
        EqualTo("new_password", "Lösenorden är inte lika. Skriv samma nya lösenord i båda fälten."),
    ])
